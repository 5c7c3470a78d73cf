/**
 * Rows as they are stored in ClickHouse (column names are snake_case, as in the tables).
 * Date-times are strings in ClickHouse's `YYYY-MM-DD hh:mm:ss.sss` form, UTC.
 */

/** Where an event came from. */
export type EventSource = 'browser' | 'server' | 'email' | 'import'

export interface EventRow {
  event_id: string
  message_id: string
  project_id: string
  type: string
  event: string
  source: EventSource
  anonymous_id: string
  user_id: string
  session_id: string
  group_id: string
  previous_id: string
  timestamp: string
  received_at: string
  sent_at: string | null
  url: string
  path: string
  title: string
  referrer: string
  referrer_host: string
  utm_source: string
  utm_medium: string
  utm_campaign: string
  utm_term: string
  utm_content: string
  gclid: string
  fbclid: string
  msclkid: string
  channel: string
  revenue: number | null
  currency: string
  properties: string
  traits: string
  browser: string
  browser_version: string
  os: string
  os_version: string
  device_type: string
  device_vendor: string
  device_model: string
  is_bot: number
  ip: string
  /** the country of the address, looked up before it was anonymised (the collector's GEOIP_COUNTRY_CSV), or '' */
  ip_country: string
  user_agent: string
  locale: string
  timezone: string
  screen_width: number
  screen_height: number
  library_name: string
  library_version: string
}

/** An incoming call that was refused, kept with its reason and raw payload. */
export interface RejectedRow {
  rejected_id: string
  project_id: string
  received_at: string
  source: string
  route: string
  error_code: string
  reason: string
  raw: string
  ip: string
  user_agent: string
}

/** A link between an anonymous id and a user id, from identify, alias, an event carrying both, or email. */
export interface IdentityRow {
  project_id: string
  anonymous_id: string
  user_id: string
  linked_at: string
  link_source: string
}
