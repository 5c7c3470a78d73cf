/** The events columns that analytics subqueries carry (ClickHouse reads only those a query then uses). */
export const EVENT_COLUMNS = [
  'event_id',
  'type',
  'event',
  'source',
  'anonymous_id',
  'user_id',
  'session_id',
  'timestamp',
  'url',
  'path',
  'title',
  'referrer',
  'referrer_host',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'channel',
  'revenue',
  'currency',
  'properties',
  'traits',
  'browser',
  'os',
  'device_type',
  'locale',
  'timezone',
  'library_name',
]
  .map((c) => `e.${c} AS ${c}`)
  .join(', ')

/** The event time as UInt64 milliseconds, the unit windowFunnel and the chain arithmetic work in. */
export const TS_MS = 'toUInt64(toUnixTimestamp64Milli(timestamp))'
