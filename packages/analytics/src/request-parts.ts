import { z } from 'zod'
import { comparable, comparison, EARLIEST, EARLIEST_DAY } from './compare'
import { FIELD_HELP, isField } from './fields'
import { dayBeginningAt, type Interval, startOfDay } from './zone'

/**
 * The parts every analytics request is made of (requests.ts and report-requests.ts): durations, instants, fields,
 * event matches, an exchange, and a range in a time zone split into periods.
 */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/**
 * Each conversion's revenue less what was refunded of its order since (`Order Refunded` by `orderId`,
 * reports/refunds.ts), instead of its revenue as ordered: what attribution, acquisition and experiments credit.
 */
export const netOfRefunds = z.boolean().default(false)

const MAX_DURATION = 366 * 86_400
const DURATION_HELP = 'expected a number of seconds or a duration such as 30m, 12h, 7d, up to 366 days'

/** A duration in seconds: a number, or text such as `30m`, `12h`, `7d`; at most 366 days either way. */
export const duration = z.union(
  [
    z.number().int(DURATION_HELP).min(0, DURATION_HELP).max(MAX_DURATION, DURATION_HELP),
    z
      .string()
      .regex(/^\d+(\.\d+)?[smhdw]$/)
      .transform((s) => Math.round(Number(s.slice(0, -1)) * (UNITS[s.slice(-1)] ?? 1)))
      .refine((seconds) => seconds <= MAX_DURATION, DURATION_HELP),
  ],
  { error: DURATION_HELP },
)

const INSTANT_HELP =
  'expected a date as YYYY-MM-DD or a date-time with its offset, such as 2026-11-01T09:00:00Z'

/**
 * An ISO date-time with offset, a Date, or an ISO date: a date stays text until the request's time zone is known
 * (`inZone`), since it means the midnight that begins it there.
 */
export const instant = z.union(
  [
    z.date(),
    z.iso.datetime({ offset: true, error: INSTANT_HELP }).transform((s) => new Date(s)),
    z.iso.date({ error: INSTANT_HELP }),
  ],
  { error: INSTANT_HELP },
)

export const field = z.string().refine(isField, { message: `expected ${FIELD_HELP}` })

export const propertyFilter = z.object({
  property: field,
  op: z.enum(['eq', 'neq', 'contains', 'in', 'gt', 'gte', 'lt', 'lte']).default('eq'),
  value: z.union(
    [
      z.string().max(1000),
      z.number(),
      z.boolean(),
      z.array(z.union([z.string().max(1000), z.number()])).max(1000),
    ],
    {
      error:
        'expected text (up to 1,000 characters), a number, true or false, or a list of up to 1,000 texts and numbers',
    },
  ),
})

export const eventMatch = z.object({
  event: z.string().min(1).max(200),
  filters: z.array(propertyFilter).max(20).optional(),
  label: z.string().max(200).optional(),
})

/** How a filter's operator is written in a step (`Page Viewed[path=/pricing]`): the CLI reads it, labels write it. */
export const OP_SIGNS: Record<z.output<typeof propertyFilter>['op'], string> = {
  eq: '=',
  neq: '!=',
  contains: '~',
  in: ' in ',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
}

/**
 * What a step or conversion is called: its `label`, or its event with its filters as the CLI writes them
 * (`Page Viewed[path=/pricing]`), so that two steps of one event tell apart.
 */
export function matchLabel(m: z.output<typeof eventMatch>): string {
  if (m.label !== undefined) return m.label
  if (!m.filters?.length) return m.event
  const value = (v: z.output<typeof propertyFilter>['value']) =>
    Array.isArray(v) ? `(${v.join(' | ')})` : String(v)
  return `${m.event}[${m.filters.map((f) => `${f.property}${OP_SIGNS[f.op]}${value(f.value)}`).join(', ')}]`
}

export const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz })
      return true
    } catch {
      return false
    }
  },
  { message: 'expected an IANA time zone such as Europe/Berlin' },
)

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR')

const rate = z.number().positive().max(1e9)
/** The most days a currency's dated rates may span (a century), and so the most dates it may give. */
export const MAX_RATE_DAYS = 36_600
const DAY_MS = 86_400_000

/**
 * A currency's rates by date (`{ "2026-01-02": 0.92, "2026-01-05": 0.93 }`): each holds from its date (a UTC day)
 * until the next one; before the first, the first.
 */
const DATE = /^\d{4}-\d{2}-\d{2}$/
const datedRates = z
  .record(z.string(), rate)
  .superRefine((r, ctx) => {
    // a day that exists: Date.parse takes 2026-02-30 for March 2nd
    for (const d of Object.keys(r))
      if (!DATE.test(d) || Number.isNaN(Date.parse(d)) || new Date(d).toISOString().slice(0, 10) !== d)
        ctx.addIssue({
          code: 'custom',
          path: [d],
          message: 'expected a date as YYYY-MM-DD, such as 2026-01-02',
        })
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'expected at least one date' })
  .refine(
    (r) => {
      const days = Object.keys(r).map((d) => Date.parse(d) / DAY_MS)
      return Math.max(...days) - Math.min(...days) < MAX_RATE_DAYS
    },
    { message: `expected dates within ${MAX_RATE_DAYS} days of each other` },
  )

/**
 * Revenue converted into one currency, `to`, at `rates`: how much of it one unit of each other currency is worth,
 * fixed (`{ to: 'EUR', rates: { USD: 0.92 } }`) or by date (`{ USD: { '2026-01-02': 0.92, … } }`, the rate of the
 * event's UTC day). An amount sent without a currency counts as one in `to`; one in a currency with no rate stays as
 * it was, and the report's `currencies` still names it. Over HTTP and in the CLI, the project's `currency` and
 * `exchangeRates` when the request gives none.
 */
export const exchange = z.object({
  to: currencyCode,
  rates: z
    .record(
      currencyCode,
      z.union([rate, datedRates], {
        error: 'expected a rate (a number) or rates by date, such as { "2026-01-02": 0.92 }',
      }),
    )
    .default({}),
})
export type Exchange = z.output<typeof exchange>

export const range = {
  project: z.string().min(1).max(100),
  exchange: exchange.optional(),
  from: instant,
  to: instant,
  /**
   * Where the business is: the midnight a date-only `from` or `to` means, and the hours, days and weeks of the
   * reports that bucket by them. Over HTTP and in the CLI, the project's `timezone` when the request gives none.
   */
  timezone: timeZone.default('UTC'),
  /**
   * With `previous` or `year`, the same report over the range before (the one of the same length that ends where
   * this one begins, or the same one a year before) as `previous`, for what changed: compare.ts.
   */
  compare: comparison.optional(),
}

/** For a request whose answer is no report to set beside another (a list of people, say): no `compare`, and why. */
export const notCompared = (why: string) => z.undefined({ error: why }).optional()

/** A range's `from` and `to` as instants, a date-only one at its midnight in the request's time zone. */
const inZone = <T extends { from: Date | string; to: Date | string; timezone: string }>(r: T) => ({
  ...r,
  from: typeof r.from === 'string' ? startOfDay(r.from, r.timezone) : r.from,
  to: typeof r.to === 'string' ? startOfDay(r.to, r.timezone) : r.to,
})

/**
 * Why a range that ends where it begins is refused: `to` is where the range ends, the first moment not in it. The
 * likeliest way to get here is one day asked for as from and to that day: the answer says how to ask for it.
 */
function sameDay(r: { from: Date; timezone: string }): string {
  const day = dayBeginningAt(r.from, r.timezone)
  const next = day && new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  const example = day ? `from ${day} to ${next}` : 'from 2026-12-07 to 2026-12-08'
  return `must be after from: the range ends at to, which is not in it, so one day runs from that day to the next (${example})`
}

const ordered = <T extends { from: Date; to: Date; timezone: string }>(r: T, ctx: z.RefinementCtx) => {
  if (!(r.from.getTime() >= EARLIEST))
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must be ${EARLIEST_DAY} or later` })
  else if (r.to.getTime() < r.from.getTime())
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
  else if (r.to.getTime() === r.from.getTime())
    ctx.addIssue({ code: 'custom', path: ['to'], message: sameDay(r) })
}

/**
 * A request over a range, from its object schema (`range` and its own fields): a date-only `from` and `to` put in
 * its zone, and `to` after `from`.
 */
export const ranged = <O extends z.ZodType<{ from: Date | string; to: Date | string; timezone: string }>>(
  o: O,
) =>
  o
    .transform((r: z.output<O>) => inZone(r))
    .superRefine(ordered)
    .superRefine((r, ctx) => comparable(r as Parameters<typeof comparable>[0], ctx))

export const INTERVALS = ['day', 'week', 'month'] as const
/** The shortest bucket of each interval, in days, for bounding how many a range holds. */
const SHORTEST_DAYS = { day: 1, week: 7, month: 28 } as const
/** The most periods a report splits its range into: a year of days, eight years of weeks or months. */
export const MAX_COHORTS = 400

/** A range split by `interval` into at most MAX_COHORTS periods. */
export const fewPeriods = (r: { from: Date; to: Date; interval?: Interval }, ctx: z.RefinementCtx) => {
  if (!r.interval) return
  // the range holds at most one bucket more than its length in the shortest buckets
  const days = (r.to.getTime() - r.from.getTime()) / 86_400_000
  if (days / SHORTEST_DAYS[r.interval] > MAX_COHORTS - 1)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the range holds more than ${MAX_COHORTS} ${r.interval}s; narrow it or take a longer interval`,
    })
}

/** Traits to give each person a list names, the latest value each was sent with (`email`, `name`). */
export const traitNames = z
  .array(z.string().regex(/^[^\s]{1,100}$/, 'expected a trait name without spaces'))
  .max(10)
  .default([])

/**
 * A list of people's next page by person (the funnel's people, the customers): with it, the list is in the order of
 * the people's ids from the first after this one ('' from the start), so a person who joins or leaves the list
 * between pages moves nobody else, and reading every page lists each person who stayed on it once. Without it,
 * `offset` pages through the list in its own order, where one who leaves moves the rest up a place.
 */
export const afterPerson = z.string().max(1000).optional()

/** `after` and `offset` are two ways to page; a request takes one. */
export const afterOrOffset = (r: { after?: string; offset: number }, ctx: z.RefinementCtx) => {
  if (r.after !== undefined && r.offset > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['offset'],
      message: "pages in the list's own order; with after, a page begins after that person",
    })
}

/** How many rows a report lists, the first by its order: 1 to 1,000, 50 unless asked. */
export const rowLimit = z.number().int().min(1).max(1000).default(50)

/** What attribution keys a touch by, and the acquisition report a first visit: where it came from. */
export const SOURCE_KEYS = ['channel', 'source', 'medium', 'campaign'] as const
