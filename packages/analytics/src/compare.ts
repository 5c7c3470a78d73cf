import { z } from 'zod'
import { dayBeginningAt, startOfDay } from './zone'

/**
 * A report against the range before it (docs/analytics.md, "Comparing with the range before"): `previous`, the
 * range of the same length that ends where this one begins (the months before, for a range of whole months), or
 * `year`, the same range a year before.
 */
export const COMPARISONS = ['previous', 'year'] as const
export type Comparison = (typeof COMPARISONS)[number]
export const comparison = z.enum(COMPARISONS)

/** The range compared with: instants, and the days they begin where the range is of whole days in its zone. */
export interface RangeBefore {
  from: Date
  to: Date
  /** `YYYY-MM-DD` for a range of whole days, otherwise the ISO instant */
  label: { from: string; to: string }
}

/**
 * The earliest instant a range may begin at, and the range compared with: the Unix epoch, where the queries'
 * millisecond times (UInt64) begin. Nothing stored is earlier: a secret-key call's time begins in 2000.
 */
export const EARLIEST = 0
/** EARLIEST as a request's date (1970-01-01). */
export const EARLIEST_DAY = new Date(EARLIEST).toISOString().slice(0, 10)
const utcDay = (day: string) => Date.parse(`${day}T00:00:00Z`)
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
/** The same date `n` months away, for `n` whole months before a range from the first of a month. */
const monthsAway = (ms: number, n: number) => {
  const d = new Date(ms)
  d.setUTCMonth(d.getUTCMonth() + n)
  return d.getTime()
}
/**
 * The same time a year before. 29 February has none: a range beginning on it begins on 28 February, and one ending
 * on it ends on 1 March, so the range compared with is never empty and never shorter.
 */
const yearBefore = (ms: number, end: boolean) => {
  const d = new Date(ms)
  const leapDay = d.getUTCMonth() === 1 && d.getUTCDate() === 29
  d.setUTCFullYear(d.getUTCFullYear() - 1, d.getUTCMonth(), leapDay && !end ? 28 : d.getUTCDate())
  return d.getTime()
}

/**
 * The range a report over `[from, to)` is compared with, or undefined where it would begin before 1970. For a
 * range of whole days in its time zone, days: the same number of days before it (whole months before a range from
 * the first of a month to the first of another, so November is compared with October, not with the 30 days before
 * it), or the same days a year before, each day beginning at its own midnight there (so a daylight-saving change
 * in one range and not the other moves nothing). For any other range, instants: as long a span just before it, or
 * the same instants a year before.
 */
export function rangeBefore(
  r: { from: Date; to: Date; timezone: string },
  compare: Comparison,
): RangeBefore | undefined {
  const fromDay = dayBeginningAt(r.from, r.timezone)
  const toDay = dayBeginningAt(r.to, r.timezone)
  if (fromDay === undefined || toDay === undefined) {
    const [from, to] =
      compare === 'year'
        ? [yearBefore(r.from.getTime(), false), yearBefore(r.to.getTime(), true)]
        : [2 * r.from.getTime() - r.to.getTime(), r.from.getTime()]
    if (!(from >= EARLIEST)) return undefined
    const at = (ms: number) => new Date(ms)
    return { from: at(from), to: at(to), label: { from: at(from).toISOString(), to: at(to).toISOString() } }
  }
  const f = utcDay(fromDay)
  const t = utcDay(toDay)
  const whole = (day: string) => day.endsWith('-01')
  const [start, end] = [new Date(f), new Date(t)]
  const months =
    (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth()
  const [from, to] =
    compare === 'year'
      ? [yearBefore(f, false), yearBefore(t, true)]
      : whole(fromDay) && whole(toDay)
        ? [monthsAway(f, -months), f]
        : [f - (t - f), f]
  if (!(from >= EARLIEST)) return undefined
  const label = { from: isoDay(from), to: isoDay(to) }
  return { from: startOfDay(label.from, r.timezone), to: startOfDay(label.to, r.timezone), label }
}

/** A request's `compare` has a range before it to compare with (a zod refinement of `ranged`). */
export const comparable = (
  r: { from: Date; to: Date; timezone: string; compare?: Comparison | undefined },
  ctx: z.RefinementCtx,
) => {
  // a range that is itself out of order or too early is refused for that, naming from or to
  if (r.compare === undefined || r.to.getTime() <= r.from.getTime() || r.from.getTime() < EARLIEST) return
  if (!rangeBefore(r, r.compare))
    ctx.addIssue({
      code: 'custom',
      path: ['compare'],
      message: `the range compared with would begin before ${EARLIEST_DAY}`,
    })
}

/** A report, and with `compare`, the same report over the range before (`previous`) and that range. */
export type Compared<R> = R & {
  previous?: R
  previousRange?: { from: string; to: string; compare: Comparison }
}

/**
 * Runs a report, and with the request's `compare`, the same report over the range before it, side by side. The
 * request is validated first (a ZodError names the field), so a bad one runs no query.
 */
export async function compared<T extends { compare?: Comparison | undefined }, R extends object>(
  schema: z.ZodType,
  request: T,
  run: (request: T) => Promise<R>,
): Promise<Compared<R>> {
  if (request.compare === undefined) return run(request)
  const parsed = schema.parse(request) as { from: Date; to: Date; timezone: string; compare: Comparison }
  const before = rangeBefore(parsed, parsed.compare) as RangeBefore // the schema refuses a range with none
  const asked = { ...request, from: before.from, to: before.to, compare: undefined }
  // a request that holds for its range and not for the one before (a bound on periods, say) names compare
  const checked = schema.safeParse(asked)
  if (!checked.success)
    throw new z.ZodError(
      checked.error.issues.map((issue) => ({
        ...issue,
        path: ['compare'],
        message: `the range before (${before.label.from} to ${before.label.to}): ${issue.message}`,
      })),
    )
  const [now, previous] = await Promise.all([run(request), run(asked)])
  return { ...now, previous, previousRange: { ...before.label, compare: parsed.compare } }
}
