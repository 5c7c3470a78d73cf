/**
 * Every analytics request as a zod schema: the TypeScript API, the HTTP routes and the CLI validate the same
 * shapes, so a bad request gets the same field and reason wherever it comes from. The funnel's, attribution's and
 * the profile's are here; the reports' in report-requests.ts, and the parts they share in request-parts.ts.
 */
import { z } from 'zod'
import {
  afterOrOffset,
  afterPerson,
  duration,
  eventMatch,
  exchange,
  fewPeriods,
  field,
  INTERVALS,
  netOfRefunds,
  notCompared,
  range,
  ranged,
  SOURCE_KEYS,
  traitNames,
} from './request-parts'
import { type Interval, periodStarts } from './zone'

export * from './report-requests'
export {
  duration,
  type Exchange,
  eventMatch,
  exchange,
  MAX_COHORTS,
  MAX_RATE_DAYS,
  matchLabel,
  OP_SIGNS,
  propertyFilter,
} from './request-parts'

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
      compare: notCompared('is not taken by a list of people; compare the funnel itself'),
      outcome: z.enum(['reached', 'dropped']),
      step: z.number().int().min(1).max(20),
      value: z.string().max(1000).optional(),
      /** with an interval: only the people who entered in the period beginning that day */
      period: z.iso.date().optional(),
      limit: z.number().int().min(1).max(10_000).default(100),
      /** how many to skip, for the next page of a list longer than `limit` (the order is stable) */
      offset: z.number().int().min(0).max(100_000_000).default(0),
      after: afterPerson,
      traits: traitNames,
    })
    .superRefine(stepInFunnel)
    .superRefine(afterOrOffset),
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
    by: z.enum(SOURCE_KEYS).default('channel'),
    halfLife: duration.default(7 * 86_400),
    netOfRefunds,
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
