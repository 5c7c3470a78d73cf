import { FIELD_COLUMNS } from './fields'

/**
 * The events columns that analytics subqueries carry: every field a filter or breakdown may name, and what the
 * reports themselves read. ClickHouse reads only the columns a query then uses.
 */
export const EVENT_COLUMNS = [
  ...FIELD_COLUMNS,
  'event_id',
  'anonymous_id',
  'user_id',
  'session_id',
  'timestamp',
  'revenue',
  'properties',
  'traits',
  // the country looked up from the address, which the field `country` reads before the time zone's (fields.ts)
  'ip_country',
]
  .map((c) => `e.${c} AS ${c}`)
  .join(', ')
