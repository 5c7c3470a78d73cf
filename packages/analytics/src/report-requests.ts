/** The reports' requests (docs/analytics.md, "Reports"), re-exported by requests.ts. */
import { trackingPlan } from '@touchpoint/schema'
import { z } from 'zod'
import { linearPatterns } from './linear-regexp'
import {
  afterOrOffset,
  afterPerson,
  duration,
  eventMatch,
  fewPeriods,
  field,
  INTERVALS,
  netOfRefunds,
  notCompared,
  range,
  ranged,
  rowLimit,
  SOURCE_KEYS,
  traitNames,
} from './request-parts'

/** A report over a range that lists rows, the first `limit` of them (default 50, at most 1,000). */
const rangedList = () => ranged(z.object({ ...range, limit: rowLimit }))

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
 * What the traffic report keys sessions by: where they came from (as attribution), what they came with, the page
 * they landed on or its site (`host`, the host name of its URL), or where the visitor was (`country`, from their
 * address or their time zone: fields.ts) and the language they read in (`language`, of their locale).
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
  'country',
  'language',
] as const
export type TrafficKey = (typeof TRAFFIC_KEYS)[number]

export const trafficRequest = ranged(
  z.object({
    ...range,
    by: z.enum(TRAFFIC_KEYS).default('channel'),
    conversion: eventMatch.default({ event: 'Order Completed' }),
    netOfRefunds,
  }),
)
export type TrafficRequest = z.input<typeof trafficRequest>

export const liveRequest = z.object({
  project: range.project,
  /** how far back "now" reaches */
  minutes: z.number().int().min(1).max(60).default(5),
  /** the moment to look back from; now when not given */
  at: z
    .union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))], {
      error: 'expected a date-time with its offset, such as 2026-11-01T09:00:00Z',
    })
    .optional(),
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

/** The events report's request: `limit` is how many event names to list, the most people first. */
export const eventsRequest = rangedList()
export type EventsRequest = z.input<typeof eventsRequest>

/** The refused calls' request: `limit` is how many (error code, field) rows to list, the most refusals first. */
export const rejectedRequest = rangedList()
export type RejectedRequest = z.input<typeof rejectedRequest>

/**
 * POST /api/rejected/retry (the collector's): the refusals of a range, by the time they were received, to send
 * through the collector's checks again; with `dryRun`, only what would pass is counted.
 */
export const retryRejectedRequest = ranged(
  z.object({
    ...range,
    compare: notCompared('a retry of refused calls is not compared with the range before'),
    dryRun: z.boolean().default(false),
  }),
)
export type RetryRejectedRequest = z.input<typeof retryRejectedRequest>

/** The tracking plan report's request: `limit` is how many (event, field) rows to list, the most violations first. */
export const planRequest = rangedList()
export type PlanRequest = z.input<typeof planRequest>

export const planCheckRequest = ranged(
  z.object({
    ...range,
    compare: notCompared('a check of a tracking plan is not compared with the range before'),
    /** the plan to check the stored events against; over HTTP and in the CLI, the project's own unless given */
    plan: trackingPlan.superRefine(linearPatterns),
    /** how many of the range's track and identify calls to check, the latest first */
    limit: z.number().int().min(1).max(1_000_000).default(100_000),
  }),
)
export type PlanCheckRequest = z.input<typeof planCheckRequest>

/** The experiments' list's request: `limit` is how many experiments to list, the most people first. */
export const experimentsRequest = rangedList()
export type ExperimentsRequest = z.input<typeof experimentsRequest>

export const experimentRequest = ranged(
  z.object({
    ...range,
    compare: notCompared("an experiment's variants are set beside its control, not beside the range before"),
    /** the experiment's id, as its `Experiment Viewed` events carry it (`experimentId` or `experiment_id`) */
    experiment: z.string().min(1).max(200),
    conversion: eventMatch.default({ event: 'Order Completed' }),
    /** how long after a person's first exposure their conversions count: 14 days unless given */
    window: duration.default(14 * 86_400),
    /** the variant the others are set beside: a variant named `control`, else `0`, else the first by name */
    control: z.string().min(1).max(200).optional(),
    /** the relative uplift of the conversion rate the test should be able to tell (0.1: +10%), for `planned` */
    uplift: z.number().positive().max(10).default(0.1),
    netOfRefunds,
  }),
)
export type ExperimentRequest = z.input<typeof experimentRequest>

export const planDraftRequest = ranged(
  z.object({
    ...range,
    compare: notCompared('a draft of a tracking plan is not compared with the range before'),
    /** how many track event names to draft, the most events first */
    limit: z.number().int().min(1).max(1000).default(200),
  }),
)
export type PlanDraftRequest = z.input<typeof planDraftRequest>

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
    by: z.enum(SOURCE_KEYS).default('channel'),
    conversion: eventMatch.default({ event: 'Order Completed' }),
    /** how long after their first visit a person's conversions count: 90 days unless given */
    horizon: duration.default(90 * 86_400),
    netOfRefunds,
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

export const pathsRequest = ranged(
  z.object({
    ...range,
    /** where the paths begin: each person's first event of this kind in the range (their first page view unless given) */
    start: eventMatch.default({ event: 'Page Viewed' }),
    /** how many events after it make a path */
    steps: z.number().int().min(1).max(5).default(3),
    /** how long after the start a later event may come to be on its path: 30 minutes unless given */
    window: duration.default(1800),
    /** how many paths to list, the most people first */
    limit: rowLimit.default(20),
  }),
)
export type PathsRequest = z.input<typeof pathsRequest>

export const emailReportRequest = ranged(
  z.object({
    ...range,
    campaign: z.string().max(200).optional(),
    conversion: eventMatch.default({ event: 'Order Completed' }),
    lookback: duration.default(30 * 86_400),
    compare: notCompared(
      'is not taken by the email report, whose rows are campaigns: set one beside another',
    ),
  }),
)
export type EmailReportRequest = z.input<typeof emailReportRequest>

/**
 * Who the customers report lists: those who ordered in the range (`active`), of them those whose first order ever
 * was in it (`new`) or before it (`returning`), or those who ordered before the range and not in it (`lapsed`).
 */
export const CUSTOMER_GROUPS = ['active', 'new', 'returning', 'lapsed'] as const
/** What it lists them by, the most first: revenue or orders in the range, revenue ever, or the latest order. */
export const CUSTOMER_SORTS = ['revenue', 'orders', 'lifetimeRevenue', 'lastOrder'] as const

export const customersRequest = ranged(
  z
    .object({
      ...range,
      who: z.enum(CUSTOMER_GROUPS).default('active'),
      /** by default revenue in the range, and for lapsed customers (who have none there) revenue ever */
      sort: z.enum(CUSTOMER_SORTS).optional(),
      limit: z.number().int().min(1).max(10_000).default(50),
      /** how many to skip, for the next page (the order is stable) */
      offset: z.number().int().min(0).max(100_000_000).default(0),
      after: afterPerson,
      traits: traitNames,
      netOfRefunds,
    })
    .superRefine(afterOrOffset),
)
export type CustomersRequest = z.input<typeof customersRequest>

/** What the products report groups the lines of orders by: each product (its `productId`), or its category. */
export const PRODUCT_KEYS = ['product', 'category'] as const

export const productsRequest = ranged(
  z.object({
    ...range,
    by: z.enum(PRODUCT_KEYS).default('product'),
    /** how many to list, the most revenue first */
    limit: rowLimit,
  }),
)
export type ProductsRequest = z.input<typeof productsRequest>

export const overviewRequest = ranged(
  z.object({
    ...range,
    conversion: eventMatch.default({ event: 'Order Completed' }),
    netOfRefunds,
    /** how many channels, pages and countries to list, the most first */
    limit: z.number().int().min(1).max(50).default(5),
  }),
)
export type OverviewRequest = z.input<typeof overviewRequest>

/** The links tp.js records a click on: to another site (`outbound`), or to a file on this one (`download`). */
export const LINK_KINDS = ['outbound', 'download'] as const

export const linksRequest = ranged(
  z.object({
    ...range,
    kind: z.enum(LINK_KINDS).default('outbound'),
    /** each link's URL, or the site (host name) it leads to */
    by: z.enum(['url', 'host']).default('url'),
    limit: rowLimit,
  }),
)
export type LinksRequest = z.input<typeof linksRequest>

export const storesRequest = ranged(
  z.object({
    ...range,
    /** how many stores to list, the most visits first */
    limit: rowLimit,
  }),
)
export type StoresRequest = z.input<typeof storesRequest>
