/**
 * A call's day where its device is: the date of a stored UTC time (`YYYY-MM-DD hh:mm:ss.sss`) in the IANA time
 * zone the call names (`context.timezone`, which Segment's browser library sends), or in UTC when it names none
 * or one that does not exist. The formatter of each zone is made once; only real zones are kept, so a client
 * sending made-up names cannot grow the cache past the few hundred that exist.
 */
const formats = new Map<string, Intl.DateTimeFormat>()

function formatIn(timeZone: string): Intl.DateTimeFormat | undefined {
  let f = formats.get(timeZone)
  if (!f) {
    try {
      // en-CA writes a date as YYYY-MM-DD
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    } catch {
      return undefined
    }
    formats.set(timeZone, f)
  }
  return f
}

export function localDay(utcTime: string, timeZone: string | undefined): string {
  const utcDay = utcTime.slice(0, 10)
  if (!timeZone || timeZone === 'UTC' || timeZone.length > 64) return utcDay
  const f = formatIn(timeZone)
  return f ? f.format(Date.parse(`${utcTime.replace(' ', 'T')}Z`)) : utcDay
}
