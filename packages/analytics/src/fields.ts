import type { QueryParams } from './params'
import { ZONE_COUNTRIES, ZONES } from './zone-countries'

/**
 * The event columns a filter, breakdown or segment may name. Anything else must be `properties.<name>` (or
 * `traits.<name>`), read from the JSON text. Column names never come from the caller verbatim: they are
 * looked up here, so a field cannot inject SQL.
 */
export const FIELD_COLUMNS = [
  'event',
  'type',
  'source',
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
  'currency',
  'browser',
  'os',
  'device_type',
  'locale',
  'timezone',
  'library_name',
] as const
const COLUMNS = new Set<string>(FIELD_COLUMNS)

/**
 * Fields read from a column rather than stored: `host`, the host name of the event's URL (without its port), which
 * tells apart two sites that send to one project ('' for an event without a URL); `country`, the ISO 3166 code of
 * the visitor's country: the one the collector looked up from their address where it was given a table of address
 * ranges (`ip_country`, GEOIP_COUNTRY_CSV), else the country of their time zone (`Europe/Berlin` is DE; from the tz
 * database, zone-countries.ts), without any look-up of their address ('' for a call without a time zone, or with
 * UTC's); and `language`, the language of their locale (`de` for `de-AT`).
 */
const DERIVED = new Map<string, (prefix: string, params: QueryParams) => string>([
  ['host', (prefix) => `domain(${prefix}url)`],
  [
    'country',
    (prefix, params) =>
      `if(${prefix}ip_country != '', ${prefix}ip_country, transform(${prefix}timezone, ${params.shared('zones', ZONES, 'Array(String)')}, ${params.shared('zone_countries', ZONE_COUNTRIES, 'Array(String)')}, ''))`,
  ],
  ['language', (prefix) => `lower(extract(${prefix}locale, '^[A-Za-z]+'))`],
])

export const FIELD_HELP = `an event column (${[...COLUMNS].join(', ')}), host, country, language, or properties.<name> / traits.<name>`

export function isField(name: string): boolean {
  return COLUMNS.has(name) || DERIVED.has(name) || /^(properties|traits)\.[^\s]{1,200}$/.test(name)
}

/** A field as a String expression. JSON strings come unquoted; numbers and booleans as their JSON text. */
export function fieldExpr(field: string, params: QueryParams, table = ''): string {
  const prefix = table ? `${table}.` : ''
  if (COLUMNS.has(field)) return `${prefix}${field}`
  const derived = DERIVED.get(field)
  if (derived) return derived(prefix, params)
  const dot = field.indexOf('.')
  const column = field.slice(0, dot)
  if (dot < 0 || (column !== 'properties' && column !== 'traits')) throw new Error(`unknown field ${field}`)
  const key = params.add(field.slice(dot + 1), 'String')
  const json = `${prefix}${column}`
  return `if(JSONType(${json}, ${key}) = 'String', JSONExtractString(${json}, ${key}), JSONExtractRaw(${json}, ${key}))`
}

export type FilterOp = 'eq' | 'neq' | 'contains' | 'in' | 'gt' | 'gte' | 'lt' | 'lte'

export interface PropertyFilter {
  property: string
  op: FilterOp
  value: string | number | boolean | Array<string | number>
}

const COMPARE: Record<'gt' | 'gte' | 'lt' | 'lte', string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' }

/** A filter as a boolean expression; comparisons are numeric, the rest compare the field's text. */
export function filterExpr(filter: PropertyFilter, params: QueryParams): string {
  const field = fieldExpr(filter.property, params)
  const text = (v: unknown) => params.add(String(v), 'String')
  switch (filter.op) {
    case 'eq':
      return `${field} = ${text(filter.value)}`
    case 'neq':
      return `${field} != ${text(filter.value)}`
    case 'contains':
      return `position(${field}, ${text(filter.value)}) > 0`
    case 'in': {
      const values = Array.isArray(filter.value) ? filter.value : [filter.value]
      return `${field} IN ${params.add(values.map(String), 'Array(String)')}`
    }
    default:
      return `toFloat64OrNull(${field}) ${COMPARE[filter.op]} ${params.add(Number(filter.value), 'Float64')}`
  }
}

export interface EventMatch {
  event: string
  filters?: PropertyFilter[] | undefined
}

/** An event name and its filters as one condition. */
export function matchExpr(match: EventMatch, params: QueryParams): string {
  const parts = [`event = ${params.add(match.event, 'String')}`]
  for (const f of match.filters ?? []) parts.push(`(${filterExpr(f, params)})`)
  return parts.join(' AND ')
}
