/**
 * An ISO-8601 date-time as events carry it: any RFC 3339 date-time (its `T` and `Z` in either case, a fraction of
 * any length, a leap second), and also a date alone, a time without seconds, a space for the `T`, and no zone
 * (UTC). A zone is `Z`, `+01:00` or `+0100`.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+-]\d{2}:?\d{2})?)?$/

/**
 * The instant an event's timestamp names, in epoch milliseconds, or NaN when it is not an ISO-8601 date-time (or
 * names a day that does not exist). A time without a zone is UTC, as a date alone is its UTC midnight: JavaScript
 * would read it in the zone the process runs in, so the same import stored different times on two servers. A leap
 * second (`23:59:60`), which JavaScript has no time for, is the millisecond before the next minute.
 */
export function parseTimestamp(text: string): number {
  const m = ISO_DATE_TIME.exec(text)
  if (!m) return Number.NaN
  const [, y, mo, d, clock = '00:00', zone = 'Z'] = m
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999
  const day = new Date(0)
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  // Date.parse takes 2026-02-30 for March 2nd
  if (
    day.getUTCFullYear() !== Number(y) ||
    day.getUTCMonth() !== Number(mo) - 1 ||
    day.getUTCDate() !== Number(d)
  )
    return Number.NaN
  const time = clock.replace(/^(\d{2}:\d{2}):60(?:\.\d+)?$/, '$1:59.999')
  const offset = /^[Zz]$/.test(zone)
    ? 'Z'
    : zone.includes(':')
      ? zone
      : `${zone.slice(0, 3)}:${zone.slice(3)}`
  return Date.parse(`${y}-${mo}-${d}T${time}${offset}`)
}
