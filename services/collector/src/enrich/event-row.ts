import {
  type EventRow,
  type EventSource,
  type IdentityRow,
  type IncomingEvent,
  type JsonObject,
  jsonText,
  parseTimestamp,
  revenueOf,
} from '@touchpoint/schema'
import { appDevice, fromALibrary } from './app-device'
import { campaignOf, parseUrl } from './campaign'
import { chDateTime, eventTime } from './clock'
import { eventIdFor } from './ids'
import { anonymizeIp } from './ip'
import { localDay } from './local-day'
import { parseUserAgent } from './user-agent'

/** What the collector knows about the request an event arrived in. */
export interface RequestFacts {
  projectId: string
  /** authenticated with the project's secret key */
  trusted: boolean
  source: EventSource
  receivedAt: number
  /** the client address as the server saw it (before anonymisation) */
  ip: string
  /** the request's User-Agent header */
  userAgent: string | undefined
  /** the batch envelope's sentAt */
  sentAt: string | undefined
  /** a write-key call, or an email's open or click, from one of the project's own addresses (`internalIps`): internal traffic */
  internal?: true
  /** the hosts of the project's own sites, from its allowedOrigins: a visit from one of them is no referral */
  sites?: string[]
}

const EVENT_NAMES: Record<string, string> = {
  page: 'Page Viewed',
  screen: 'Screen Viewed',
  identify: 'Identify',
  alias: 'Alias',
  group: 'Group',
}

/** `is_bot` of internal traffic: 1 is a bot (by its user agent); the reports count only 0 */
export const INTERNAL = 2

const str = (v: unknown, max = 4096) => (typeof v === 'string' ? v.slice(0, max) : '')

/**
 * Turns a validated call into the stored row: names, page, campaign, channel, device, bot flag, IP, time. `id` is
 * the event id when one was already given to the event (see EventInput); otherwise it is derived here. Email
 * opens and clicks (source `email`) are never flagged as bots: their verdict says whether a machine opened or a
 * scanner clicked, and the reports count those apart (email/events.ts). From a project's own addresses they are
 * internal traffic, as a visit is.
 */
export function toEventRow(e: IncomingEvent, req: RequestFacts, id?: string, country = ''): EventRow {
  const ctx = e.context ?? {}
  const props = (('properties' in e && e.properties) || {}) as JsonObject
  const isPageCall = e.type === 'page' || e.type === 'screen'
  const page = ctx.page ?? {}
  const url = (isPageCall ? str(props.url) : '') || page.url || ''
  const referrer = (isPageCall ? str(props.referrer) : '') || page.referrer || ctx.referrer?.url || ''
  // parsed once, for the path (which tp.js leaves to it) and the campaign
  const parsed = parseUrl(url)
  const path = (isPageCall ? str(props.path) : '') || page.path || parsed?.pathname || ''
  const title = (isPageCall ? str(props.title) : '') || page.title || ''
  // a browser's request says its device; a mobile or server library's says only its HTTP client (app-device.ts)
  const library = !ctx.userAgent && req.source === 'browser' && fromALibrary(ctx as JsonObject)
  const ua = ctx.userAgent ?? (req.source === 'browser' && !library ? req.userAgent : undefined)
  const device = library ? appDevice(ctx as JsonObject) : parseUserAgent(ua)
  const ip = req.trusted && ctx.ip ? ctx.ip : req.ip
  const traits = ('traits' in e && e.traits) || ctx.traits
  const person = personFields(e, req)
  const revenue = e.type === 'track' ? revenueOf(props) : null
  const campaign = campaignOf(parsed, referrer, ctx.campaign, ctx.referrer?.url, !!ctx.sessionId, req.sites)
  return {
    event_id: id ?? eventIdFor(req.projectId, e.messageId),
    message_id: e.messageId ?? '',
    project_id: person.project_id,
    type: person.type,
    event: e.type === 'track' ? e.event : (EVENT_NAMES[e.type] ?? e.type),
    source: req.source,
    anonymous_id: person.anonymous_id,
    user_id: person.user_id,
    session_id: sessionOf(e, req.source, person),
    group_id: e.type === 'group' ? e.groupId : '',
    previous_id: person.previous_id,
    timestamp: person.timestamp,
    received_at: chDateTime(req.receivedAt),
    sent_at: e.sentAt || req.sentAt ? chDateTime(parseTimestamp((e.sentAt ?? req.sentAt)!)) : null,
    url,
    path,
    title,
    referrer,
    ...campaign,
    channel:
      campaign.channel === 'Direct' && !url && !referrer && offSite(req.source) ? '' : campaign.channel,
    revenue,
    currency: revenue === null ? '' : str(props.currency, 8).toUpperCase(),
    properties: jsonText(isPageCall ? withViewName(e, props) : props),
    traits: traits ? jsonText(traits) : '{}',
    ...device,
    is_bot: (req.source === 'email' ? 0 : device.is_bot) || (req.internal ? INTERNAL : 0),
    ip: anonymizeIp(ip),
    ip_country: country,
    user_agent: ua ?? '',
    locale: ctx.locale ?? '',
    timezone: ctx.timezone ?? '',
    screen_width: ctx.screen?.width ?? 0,
    screen_height: ctx.screen?.height ?? 0,
    library_name: ctx.library?.name ?? '',
    library_version: ctx.library?.version ?? '',
  }
}

/**
 * Whether a call comes from off the website: a server's or an import's. One that names no page, referrer or source
 * (an order taken by phone, a store visit, a survey answer) belongs to no visit, so it has no channel (''), where
 * the grouping would call it Direct, a visit with no source, and a profile or a breakdown by channel counted it
 * among those.
 */
const offSite = (source: EventSource) => source === 'server' || source === 'import'

/**
 * A page or screen call's properties with its `name` and `category` in them, where the call has them and its
 * properties do not: the row has no column of its own for them, and Segment's libraries send a view's name only
 * beside its properties (`analytics.page('Pricing')`), where a report by page name needs it.
 */
function withViewName(e: IncomingEvent, props: JsonObject): JsonObject {
  const named = 'name' in e && typeof e.name === 'string' && props.name === undefined
  const categorised = 'category' in e && typeof e.category === 'string' && props.category === undefined
  if (!named && !categorised) return props
  return { ...(named && { name: e.name }), ...(categorised && { category: e.category }), ...props }
}

/**
 * A call's session: the SDK's (`context.sessionId`, as tp.js sends it), or else, for a browser's page or screen
 * call with an anonymous id (Segment's libraries send no session), its device's day, `<anonymousId>/<YYYY-MM-DD>`
 * from the call's own time, so that a retry or a replay lands in the same one. The day is the device's own, in
 * the time zone its call names (`context.timezone`, which Segment's browser library sends), else UTC's: by UTC, an
 * evening's browsing in California (UTC midnight is 4 or 5 pm there) was two visits, the second a Direct touch
 * that took part of the credit. Attribution reads visits from
 * sessions (session_parts), and without one a visit would be no touch: its conversions would all be credited to
 * Direct. Only views make a visit: a track or identify call without a session id (a site's own call beside tp.js,
 * say) would otherwise start a Direct "visit" after the real one and take its credit. Server, import and email
 * calls are no visits and get none.
 */
function sessionOf(e: IncomingEvent, source: EventSource, person: PersonFields): string {
  const sessionId = e.context?.sessionId
  if (sessionId) return sessionId
  const view = e.type === 'page' || e.type === 'screen'
  return view && source === 'browser' && person.anonymous_id
    ? `${person.anonymous_id}/${localDay(person.timestamp, e.context?.timezone)}`
    : ''
}

/**
 * An accepted event before its row is built: the validated call, the facts of its request and its event id (fixed
 * at acceptance, so that a replay of the spool builds the same row). The embedded collector spools this and
 * builds the row after the acknowledgement (pipeline/row-builder.ts).
 */
export interface EventInput {
  id: string
  event: IncomingEvent
  facts: RequestFacts
  /** the country of the call's address, looked up before it was anonymised (absent in a spool written before) */
  country?: string
}

/**
 * The fields of an event's row that its identity link and an email hand-off need, without building the row
 * (toEventRow takes them from here too). The time is the sender's, corrected for its clock's skew (clock.ts).
 */
export type PersonFields = Pick<
  EventRow,
  'project_id' | 'type' | 'anonymous_id' | 'user_id' | 'previous_id' | 'timestamp'
>

export function personFields(e: IncomingEvent, req: RequestFacts): PersonFields {
  return {
    project_id: req.projectId,
    type: e.type,
    anonymous_id: e.anonymousId ?? '',
    user_id: e.userId ?? '',
    previous_id: e.type === 'alias' ? e.previousId : '',
    timestamp: chDateTime(
      eventTime({
        timestamp: e.timestamp ?? e.originalTimestamp,
        sentAt: e.sentAt ?? req.sentAt,
        receivedAt: req.receivedAt,
        trusted: req.trusted,
      }),
    ),
  }
}

/**
 * The anonymous id ↔ user id link an event carries, if any: alias links previousId to userId; identify and
 * any other call carrying both ids link them.
 */
export function identityOf(row: PersonFields): IdentityRow | null {
  const anonymous = row.type === 'alias' ? row.previous_id : row.anonymous_id
  if (!anonymous || !row.user_id || anonymous === row.user_id) return null
  return {
    project_id: row.project_id,
    anonymous_id: anonymous,
    user_id: row.user_id,
    linked_at: row.timestamp,
    link_source: row.type === 'alias' || row.type === 'identify' ? row.type : 'event',
  }
}
