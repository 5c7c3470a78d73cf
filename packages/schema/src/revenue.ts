import { EVENT_NAMES } from './event-names'
import type { JsonObject } from './json'

/**
 * What a track call says it is worth: the `revenue` and `currency` columns of `events`. Segment's spec reserves
 * `revenue` and `currency` on every track call; its e-commerce events name the amount `total`, and `value` is its
 * abstract worth of any event. So the revenue is `revenue`, else `total`, else `value`, when it reads as a number.
 *
 * `revenue` (and an order's `total`) that does not read as one is refused, naming the field, rather than stored as
 * no revenue: "€144" or "144,50" would otherwise be a sale that the reports never count. `value` stays free-form
 * (sites send labels in it), and so does `total` on events that are not orders.
 */

/** Largest revenue of one call, either way (the column holds 14 digits before the decimal point). */
export const MAX_REVENUE = 1e12

/** A decimal as JSON or a spreadsheet writes it, signs and an exponent allowed; no hex, no separators. */
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i
const CURRENCY = /^[A-Za-z]{3}$/
const ORDER_EVENTS: ReadonlySet<string> = new Set([EVENT_NAMES.orderCompleted, EVENT_NAMES.orderRefunded])

const numberOf = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v) ? Number(v) : Number.NaN

/** A decimal string ("12.50") as its number; anything else as it is. */
export const decimalAsNumber = (v: unknown) => (typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v)

export const NOT_AN_AMOUNT =
  'must be a number such as 144.5, or a string of one, without a currency sign or separators'

/** A track call's revenue, to 4 decimals, or null when it says none (or none that reads as a number). */
export function revenueOf(props: JsonObject): number | null {
  const n = numberOf(props.revenue ?? props.total ?? props.value)
  return Number.isFinite(n) && Math.abs(n) <= MAX_REVENUE ? Math.round(n * 10_000) / 10_000 : null
}

/** Why a track call's revenue or its currency cannot be stored, as [path under properties, message] pairs. */
export function revenueIssues(name: string, props: JsonObject): Array<[string, string]> {
  const issues: Array<[string, string]> = []
  const field =
    props.revenue != null ? 'revenue' : props.total != null && ORDER_EVENTS.has(name) ? 'total' : ''
  const n = field ? numberOf(props[field]) : 0
  if (!Number.isFinite(n)) issues.push([field, NOT_AN_AMOUNT])
  else if (Math.abs(n) > MAX_REVENUE) issues.push([field, `must be at most ${MAX_REVENUE} either way`])
  const currency = props.currency
  if (currency != null && currency !== '' && revenueOf(props) !== null)
    if (typeof currency !== 'string' || !CURRENCY.test(currency))
      issues.push(['currency', 'must be a 3-letter ISO 4217 code, such as EUR'])
  return issues
}
