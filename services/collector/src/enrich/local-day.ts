/**
 * A call's day where its device is: the date of a stored UTC time (`YYYY-MM-DD hh:mm:ss.sss`) in the IANA time
 * zone the call names (`context.timezone`, which Segment's browser library sends), or in UTC when it names none
 * or one that does not exist. The formatter of each zone is made once. Zone names are taken without case, as
 * Intl takes them, so the cache is keyed by the lower-cased name: a client sending one zone in every spelling of
 * its case would otherwise add an entry for each. Only real zones are kept, and no more than MAX_ZONES (about
 * 600 exist, with their aliases); past that a formatter is made for the call and not kept.
 */
const MAX_ZONES = 1024
const formats = new Map<string, Intl.DateTimeFormat>()

function formatIn(timeZone: string): Intl.DateTimeFormat | undefined {
  const key = timeZone.toLowerCase()
  let f = formats.get(key)
  if (!f) {
    try {
      // en-CA writes a date as YYYY-MM-DD
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    } catch {
      return undefined
    }
    if (formats.size < MAX_ZONES) formats.set(key, f)
  }
  return f
}

/** The number of zones whose formatter is kept (for the test of the bound). */
export const cachedZones = () => formats.size

export function localDay(utcTime: string, timeZone: string | undefined): string {
  const utcDay = utcTime.slice(0, 10)
  if (!timeZone || timeZone === 'UTC' || timeZone.length > 64) return utcDay
  const f = formatIn(timeZone)
  return f ? f.format(Date.parse(`${utcTime.replace(' ', 'T')}Z`)) : utcDay
}
