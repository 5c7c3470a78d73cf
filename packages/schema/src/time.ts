/**
 * An ISO-8601 date-time as events carry it: a date, or a date and a time with `T` or a space between them, its
 * seconds and fraction optional, and a zone: `Z`, `+01:00` or `+0100`.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * The instant an event's timestamp names, in epoch milliseconds, or NaN when it is not an ISO-8601 date-time (or
 * names a day that does not exist). A time without a zone is UTC, as a date alone is its UTC midnight: JavaScript
 * would read it in the zone the process runs in, so the same import stored different times on two servers.
 */
export function parseTimestamp(text: string): number {
  const m = ISO_DATE_TIME.exec(text)
  if (!m) return Number.NaN
  const [, y, mo, d, time = '00:00', zone = 'Z'] = m
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  // Date.parse takes 2026-02-30 for March 2nd
  if (
    day.getUTCFullYear() !== Number(y) ||
    day.getUTCMonth() !== Number(mo) - 1 ||
    day.getUTCDate() !== Number(d)
  )
    return Number.NaN
  const offset = zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
  return Date.parse(`${y}-${mo}-${d}T${time}${offset}`)
}
