/**
 * Dates in a time zone. A report's `from: "2026-11-27"` means that day where the business is: in
 * America/Los_Angeles, 08:00 UTC on the 27th, not UTC midnight (which would take the evening before and leave out
 * the day's last eight hours).
 */

/**
 * Each zone's formatter, made once. Keyed by the lower-cased name, as Intl takes zone names without case, and
 * bounded: about 600 zones exist with their aliases, and past MAX_ZONES a formatter is made for the call and not
 * kept, so no request can grow the cache by spelling one zone many ways.
 */
const MAX_ZONES = 1024
const formats = new Map<string, Intl.DateTimeFormat>()

/** The number of zones whose formatter is kept (for the test of the bound). */
export const cachedZones = () => formats.size

function formatIn(timeZone: string): Intl.DateTimeFormat {
  const key = timeZone.toLowerCase()
  let f = formats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    if (formats.size < MAX_ZONES) formats.set(key, f)
  }
  return f
}

/** The wall clock in `timeZone` at the instant `t`, as if it were UTC (ms, whole seconds). */
function wallClock(t: number, timeZone: string): number {
  const parts: Record<string, number> = {}
  for (const p of formatIn(timeZone).formatToParts(new Date(t)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
}

/**
 * The instant a day (`YYYY-MM-DD`) begins in `timeZone`. Its midnight is UTC midnight less the zone's offset; the
 * offset is read at UTC midnight and again at the first guess, since a daylight-saving change can fall between
 * them, and the earliest guess that is on that day where the zone is wins. So where a zone repeats its midnight
 * (clocks back at 00:00) the day begins at the first, and where it skips it (clocks forward at 00:00), at the
 * first instant after the gap.
 */
export function startOfDay(date: string, timeZone: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`)
  if (timeZone === 'UTC') return new Date(utcMidnight)
  const first = utcMidnight - (wallClock(utcMidnight, timeZone) - utcMidnight)
  const second = utcMidnight - (wallClock(first, timeZone) - first)
  const onTheDay = (t: number) => wallClock(t, timeZone) >= utcMidnight
  const guesses = [first, second].filter(onTheDay).sort((a, b) => a - b)
  return new Date(guesses[0] ?? first)
}

/**
 * The day (`YYYY-MM-DD`) that begins at instant `t` in `timeZone`, or undefined when `t` is not the beginning of a
 * day there (a range given as dates, put in its zone, begins and ends at such instants).
 */
export function dayBeginningAt(t: Date, timeZone: string): string | undefined {
  const day = new Date(Math.floor(wallClock(t.getTime(), timeZone) / 86_400_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
  return startOfDay(day, timeZone).getTime() === t.getTime() ? day : undefined
}

/** ClickHouse's function for the first day of a time's day, week (from Monday) or month, given a time zone. */
export const PERIOD_START = { day: 'toDate', week: 'toMonday', month: 'toStartOfMonth' } as const
export type Interval = keyof typeof PERIOD_START

const DAY_MS = 86_400_000

/** The first day (`YYYY-MM-DD`) of the day, week (from Monday) or month that instant `t` falls in, in `timeZone`. */
function periodOf(t: number, interval: Interval, timeZone: string): number {
  const day = Math.floor(wallClock(t, timeZone) / DAY_MS) * DAY_MS
  const d = new Date(day)
  if (interval === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS
  if (interval === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  return day
}

/**
 * Every period that `[from, to)` touches, as the first day of each (`YYYY-MM-DD`, as ClickHouse's PERIOD_START
 * gives it as text): from the one `from` falls in to the one holding the range's last millisecond.
 */
export function periodStarts(from: Date, to: Date, interval: Interval, timeZone: string): string[] {
  const last = periodOf(to.getTime() - 1, interval, timeZone)
  const starts: string[] = []
  for (let d = periodOf(from.getTime(), interval, timeZone); d <= last; ) {
    starts.push(new Date(d).toISOString().slice(0, 10))
    const next = new Date(d)
    if (interval === 'month') next.setUTCMonth(next.getUTCMonth() + 1)
    else next.setUTCDate(next.getUTCDate() + (interval === 'week' ? 7 : 1))
    d = next.getTime()
  }
  return starts
}
