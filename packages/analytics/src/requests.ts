import { z } from 'zod'
import { FIELD_HELP, isField } from './fields'
import { type Interval, periodStarts, startOfDay } from './zone'

/**
 * Every analytics request as a zod schema: the TypeScript API, the HTTP routes and the CLI validate the same
 * shapes, so a bad request gets the same field and reason wherever it comes from.
 */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/** A duration in seconds: a number, or text such as `30m`, `12h`, `7d`. */
export const duration = z.union([
  z
    .number()
    .int()
    .min(0)
    .max(366 * 86_400),
  z
    .string()
    .regex(/^\d+(\.\d+)?[smhdw]$/, 'expected a number of seconds or a duration such as 30m, 12h, 7d')
    .transform((s) => Math.round(Number(s.slice(0, -1)) * (UNITS[s.slice(-1)] ?? 1))),
])

/**
 * An ISO date-time with offset, a Date, or an ISO date: a date stays text until the request's time zone is known
 * (`inZone`), since it means the midnight that begins it there.
 */
const instant = z.union([
  z.date(),
  z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  z.iso.date(),
])

const field = z.string().refine(isField, { message: `expected ${FIELD_HELP}` })

export const propertyFilter = z.object({
  property: field,
  op: z.enum(['eq', 'neq', 'contains', 'in', 'gt', 'gte', 'lt', 'lte']).default('eq'),
  value: z.union([
    z.string().max(1000),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string().max(1000), z.number()])).max(1000),
  ]),
})

export const eventMatch = z.object({
  event: z.string().min(1).max(200),
  filters: z.array(propertyFilter).max(20).optional(),
  label: z.string().max(200).optional(),
})

const timeZone = z.string().refine(
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

const range = {
  project: z.string().min(1).max(100),
  exchange: exchange.optional(),
  from: instant,
  to: instant,
  /**
   * Where the business is: the midnight a date-only `from` or `to` means, and the hours, days and weeks of the
   * reports that bucket by them. Over HTTP and in the CLI, the project's `timezone` when the request gives none.
   */
  timezone: timeZone.default('UTC'),
}

/** A range's `from` and `to` as instants, a date-only one at its midnight in the request's time zone. */
const inZone = <T extends { from: Date | string; to: Date | string; timezone: string }>(r: T) => ({
  ...r,
  from: typeof r.from === 'string' ? startOfDay(r.from, r.timezone) : r.from,
  to: typeof r.to === 'string' ? startOfDay(r.to, r.timezone) : r.to,
})

const ordered = <T extends { from: Date; to: Date }>(r: T, ctx: z.RefinementCtx) => {
  if (r.to.getTime() <= r.from.getTime())
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
}

/**
 * A request over a range, from its object schema (`range` and its own fields): a date-only `from` and `to` put in
 * its zone, and `to` after `from`.
 */
const ranged = <O extends z.ZodType<{ from: Date | string; to: Date | string; timezone: string }>>(o: O) =>
  o.transform((r: z.output<O>) => inZone(r)).superRefine(ordered)

const INTERVALS = ['day', 'week', 'month'] as const
/** The shortest bucket of each interval, in days, for bounding how many a range holds. */
const SHORTEST_DAYS = { day: 1, week: 7, month: 28 } as const
/** The most periods a report splits its range into: a year of days, eight years of weeks or months. */
export const MAX_COHORTS = 400

/** A range split by `interval` into at most MAX_COHORTS periods. */
const fewPeriods = (r: { from: Date; to: Date; interval?: Interval }, ctx: z.RefinementCtx) => {
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

const funnelFields = {
  ...range,
  steps: z.array(eventMatch).min(1).max(20),
  window: duration.default(7 * 86_400),
  mode: z.enum(['ordered', 'strict', 'any']).default('ordered'),
  breakdown: field.optional(),
  /** the people who entered in each day, week (from Monday) or month of the range, in its time zone */
  interval: z.enum(INTERVALS).optional(),
}
export const funnelRequest = ranged(z.object(funnelFields)).superRefine(fewPeriods)
export type FunnelRequest = z.input<typeof funnelRequest>
export type FunnelQuery = z.output<typeof funnelRequest>

/** Steps counted from 1; a person drops out at step 2 or later (everyone in the funnel reached step 1). */
const stepInFunnel = (
  r: { steps: unknown[]; step: number; outcome: 'reached' | 'dropped'; value?: string; breakdown?: string },
  ctx: z.RefinementCtx,
) => {
  if (r.step > r.steps.length)
    ctx.addIssue({
      code: 'custom',
      path: ['step'],
      message: `must be at most the number of steps (${r.steps.length})`,
    })
  else if (r.outcome === 'dropped' && r.step < 2)
    ctx.addIssue({
      code: 'custom',
      path: ['step'],
      message: 'must be 2 or more to drop out: everyone in the funnel reached step 1',
    })
  if (r.value !== undefined && r.breakdown === undefined)
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'needs a breakdown to be a value of' })
}

/** A funnel's `period`: the first day of one of the periods its `interval` splits the range into. */
const periodOfFunnel = (
  r: { period?: string; interval?: Interval; from: Date; to: Date; timezone: string },
  ctx: z.RefinementCtx,
) => {
  if (r.period === undefined) return
  if (r.interval === undefined) {
    ctx.addIssue({ code: 'custom', path: ['period'], message: 'needs an interval to be a period of' })
    return
  }
  if (r.to.getTime() <= r.from.getTime()) return // `to` is refused already
  const starts = periodStarts(r.from, r.to, r.interval, r.timezone)
  if (!starts.includes(r.period))
    ctx.addIssue({
      code: 'custom',
      path: ['period'],
      message: `expected the first day of one of the range's ${r.interval}s, from ${starts[0]} to ${starts.at(-1)}`,
    })
}

/**
 * The people behind one number of a funnel: those who `reached` step `step` (or a later one), or who `dropped`
 * out there (reached the step before it and not it), with the breakdown's `value` at step 1 when one is given.
 */
export const funnelPeopleRequest = ranged(
  z
    .object({
      ...funnelFields,
      outcome: z.enum(['reached', 'dropped']),
      step: z.number().int().min(1).max(20),
      value: z.string().max(1000).optional(),
      /** with an interval: only the people who entered in the period beginning that day */
      period: z.iso.date().optional(),
      limit: z.number().int().min(1).max(10_000).default(100),
      /** how many to skip, for the next page of a list longer than `limit` (the order is stable) */
      offset: z.number().int().min(0).max(100_000_000).default(0),
      /** traits to give each person listed, the latest value each was sent with (`email`, `name`) */
      traits: z
        .array(z.string().regex(/^[^\s]{1,100}$/, 'expected a trait name without spaces'))
        .max(10)
        .default([]),
    })
    .superRefine(stepInFunnel),
)
  .superRefine(fewPeriods)
  .superRefine(periodOfFunnel)
export type FunnelPeopleRequest = z.input<typeof funnelPeopleRequest>

export const ATTRIBUTION_MODELS = [
  'first_touch',
  'last_touch',
  'last_non_direct',
  'linear',
  'time_decay',
  'position_based',
  'markov',
] as const
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number]

export const attributionRequest = ranged(
  z.object({
    ...range,
    conversion: eventMatch,
    lookback: duration.default(30 * 86_400),
    model: z.enum([...ATTRIBUTION_MODELS, 'all']).default('all'),
    by: z.enum(['channel', 'source', 'medium', 'campaign']).default('channel'),
    halfLife: duration.default(7 * 86_400),
  }),
)
export type AttributionRequest = z.input<typeof attributionRequest>

export const profileRequest = z.object({
  project: range.project,
  exchange: exchange.optional(),
  person: z.string().min(1).max(500),
  /** other ids to answer for, in order, when `person` has no events: the recipient id of an email address */
  alsoKnownAs: z.array(z.string().min(1).max(500)).max(10).default([]),
  timelineLimit: z.number().int().min(0).max(1000).default(50),
})
export type ProfileRequest = z.input<typeof profileRequest>

export const timeOfDayRequest = ranged(
  z.object({
    ...range,
    conversion: eventMatch.default({ event: 'Order Completed' }),
  }),
)
export type TimeOfDayRequest = z.input<typeof timeOfDayRequest>

export const ordersRequest = ranged(
  z.object({
    ...range,
    checkout: z.array(eventMatch).min(2).max(10).optional(),
    window: duration.default(86_400),
  }),
)
export type OrdersRequest = z.input<typeof ordersRequest>

export const npsRequest = ranged(
  z.object({
    ...range,
    interval: z.enum(INTERVALS).default('week'),
    segment: field.optional(),
    survey: z.string().max(200).optional(),
  }),
)
export type NpsRequest = z.input<typeof npsRequest>

/**
 * What the traffic report keys sessions by: where they came from (as attribution), what they came with, or the
 * page they landed on, or its site (`host`, the host name of its URL).
 */
export const TRAFFIC_KEYS = [
  'channel',
  'source',
  'medium',
  'campaign',
  'device',
  'browser',
  'os',
  'landing',
  'host',
] as const
export type TrafficKey = (typeof TRAFFIC_KEYS)[number]

export const trafficRequest = ranged(
  z.object({
    ...range,
    by: z.enum(TRAFFIC_KEYS).default('channel'),
    conversion: eventMatch.default({ event: 'Order Completed' }),
  }),
)
export type TrafficRequest = z.input<typeof trafficRequest>

export const liveRequest = z.object({
  project: range.project,
  /** how far back "now" reaches */
  minutes: z.number().int().min(1).max(60).default(5),
  /** the moment to look back from; now when not given */
  at: z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]).optional(),
  /** how many pages and channels to list */
  limit: z.number().int().min(1).max(100).default(10),
})
export type LiveRequest = z.input<typeof liveRequest>

export const retentionRequest = ranged(
  z.object({
    ...range,
    interval: z.enum(INTERVALS).default('week'),
    /** what counts as being active; by default every event the person made (not their emails' events) */
    event: eventMatch.optional(),
    /** a field whose value on each person's first activity splits the average: `channel`, say */
    breakdown: field.optional(),
  }),
).superRefine(fewPeriods)
export type RetentionRequest = z.input<typeof retentionRequest>

/** How many rows a report lists, the first by its order: 1 to 1,000, 50 unless asked. */
const rowLimit = z.number().int().min(1).max(1000).default(50)

export const eventsRequest = ranged(
  z.object({
    ...range,
    /** how many event names to list, the most people first */
    limit: rowLimit,
  }),
)
export type EventsRequest = z.input<typeof eventsRequest>

export const rejectedRequest = ranged(
  z.object({
    ...range,
    /** how many (error code, field) rows to list, the most refusals first */
    limit: rowLimit,
  }),
)
export type RejectedRequest = z.input<typeof rejectedRequest>

export const propertiesRequest = ranged(
  z.object({
    ...range,
    /** the event name whose properties to list */
    event: z.string().min(1).max(200),
    /** how many different values to show of each (an aggregate's parameter, so a literal in the SQL: bounded here) */
    examples: z.number().int().min(1).max(20).default(3),
  }),
)
export type PropertiesRequest = z.input<typeof propertiesRequest>

export const pagesRequest = ranged(
  z.object({
    ...range,
    /** how many paths to list, the most viewed first */
    limit: rowLimit,
    /** only the pages of this host name (a URL's host, without its port): one site of a project with several */
    host: z.string().min(1).max(253).optional(),
  }),
)
export type PagesRequest = z.input<typeof pagesRequest>

export const surveyRequest = ranged(
  z.object({
    ...range,
    survey: z.string().max(200).optional(),
    /** how many of a text question's answers to list, the latest first */
    textAnswers: z.number().int().min(0).max(100).default(5),
  }),
)
export type SurveyRequest = z.input<typeof surveyRequest>

/** What the support report groups tickets by: a property of the ticket's opening. */
export const SUPPORT_KEYS = ['channel', 'priority', 'category'] as const

export const supportRequest = ranged(
  z.object({
    ...range,
    by: z.enum(SUPPORT_KEYS).default('channel'),
    /** with it, tickets opened and resolved in each day, week (from Monday) or month of the range */
    interval: z.enum(INTERVALS).optional(),
  }),
).superRefine(fewPeriods)
export type SupportRequest = z.input<typeof supportRequest>

export const acquisitionRequest = ranged(
  z.object({
    ...range,
    /** the key of each person's first visit: as attribution keys a touch */
    by: z.enum(['channel', 'source', 'medium', 'campaign']).default('channel'),
    conversion: eventMatch.default({ event: 'Order Completed' }),
    /** how long after their first visit a person's conversions count: 90 days unless given */
    horizon: duration.default(90 * 86_400),
  }),
)
export type AcquisitionRequest = z.input<typeof acquisitionRequest>

export const subscriptionsRequest = ranged(
  z.object({
    ...range,
    /** with it, each day, week (from Monday) or month's new and cancelled subscriptions, and those active at its end */
    interval: z.enum(INTERVALS).optional(),
  }),
).superRefine(fewPeriods)
export type SubscriptionsRequest = z.input<typeof subscriptionsRequest>

export const emailReportRequest = ranged(
  z.object({
    ...range,
    campaign: z.string().max(200).optional(),
    conversion: eventMatch.default({ event: 'Order Completed' }),
    lookback: duration.default(30 * 86_400),
  }),
)
export type EmailReportRequest = z.input<typeof emailReportRequest>
