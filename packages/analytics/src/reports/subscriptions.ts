import { EVENT_NAMES } from '@touchpoint/schema'
import { type Currencies, convertedSql, reportedCurrencySql } from '../currencies'
import { QueryParams } from '../params'
import { historySql } from '../people'
import { num, type Reader } from '../reader'
import { type Exchange, type SubscriptionsRequest, subscriptionsRequest } from '../requests'
import { type SubscriptionsPeriod, subscriptionsSeries } from './subscriptions-series'

export interface SubscriptionFigures {
  /** subscriptions active at `from` */
  activeAtStart: number
  /** subscriptions started for the first time in the range */
  started: number
  /** subscriptions with a cancellation in the range */
  cancelled: number
  /** of those active at `from`, the ones not active at `to` */
  churned: number
  /** churned ÷ activeAtStart (0 with none active at the start) */
  churnRate: number
  /** subscriptions active at `to` */
  activeAtEnd: number
  /** monthly recurring revenue at `from` and at `to`: each active subscription's revenue a month */
  mrrAtStart: number
  mrrAtEnd: number
  /** subscriptions first started in the range and active at `to`: those whose revenue is `mrrNew` */
  startedActive: number
  /** subscriptions active at `to` and not at `from` that had started before (back after a cancellation) */
  reactivated: number
  /** subscriptions active at both ends whose revenue a month rose, and those whose revenue a month fell */
  expanded: number
  contracted: number
  /**
   * How the MRR moved (MrrMovements): `mrrAtStart + mrrNew + mrrReactivated + mrrExpansion − mrrContraction −
   * mrrChurned = mrrAtEnd`, each subscription in one of them by its states at either end.
   */
  mrrNew: number
  mrrReactivated: number
  mrrExpansion: number
  mrrContraction: number
  mrrChurned: number
}

/** The MRR's movements between two instants, each subscription's by its state at either (SubscriptionFigures). */
export type MrrMovements = Pick<
  SubscriptionFigures,
  'mrrNew' | 'mrrReactivated' | 'mrrExpansion' | 'mrrContraction' | 'mrrChurned'
>

export interface SubscriptionsResult extends SubscriptionFigures {
  /** people (identity resolved) with a subscription active at `to` */
  customers: number
  /** the currencies of the MRR (currencies.ts): with more than one, the sums mix them */
  currencies: Currencies
  /** the same figures by plan (each subscription's latest plan up to `to`), the most active at `to` first */
  plans: Array<SubscriptionFigures & { plan: string }>
  /** why subscriptions were cancelled in the range (each one's latest reason there), the most given first */
  reasons: Array<{ reason: string; cancelled: number }>
  /** with an interval: each period's new and cancelled subscriptions, and those active at its end with their MRR */
  series?: SubscriptionsPeriod[]
}

/**
 * SQL of a start's revenue a month, over rows with revenue, currency, timestamp and properties: what one billing
 * period (`interval`, default month) costs, in the exchange's currency when there is one.
 */
export function monthlyRevenueSql(p: QueryParams, exchange: Exchange | undefined): string {
  const amount = convertedSql(p, exchange, 'toFloat64(ifNull(revenue, 0))', 'currency', 'timestamp')
  const period = `JSONExtractString(properties, 'interval')`
  return `(${amount}) * multiIf(${period} = 'day', 365.25 / 12, ${period} = 'week', 365.25 / 12 / 7, ${period} = 'year', 1 / 12, 1.)`
}

/**
 * Subscriptions (`Subscription Started` and `Subscription Cancelled`, by their `subscriptionId`): how many were
 * active at the start and the end of the range, started, cancelled and churned, the monthly recurring revenue at
 * either end, and why people cancelled, overall and by plan. A subscription is every event with its id up to
 * `to`, each event id once; at any instant it is active when its latest event before then is a start (a
 * cancellation and a start at the same millisecond leave it cancelled). Its revenue a month is the `revenue` of
 * that latest start over its `interval` (a year is twelve months, a month 365.25 ÷ 12 days; none sent counts as a
 * month), in the request's exchange currency when there is one, at the rate of the start's day.
 */
export async function subscriptions(
  reader: Reader,
  input: SubscriptionsRequest,
): Promise<SubscriptionsResult> {
  const req = subscriptionsRequest.parse(input)
  const p = new QueryParams()
  const events = historySql(
    p,
    req,
    SUBSCRIPTION_EVENTS,
    'e.event_id AS event_id, e.event AS event, e.timestamp AS timestamp, e.properties AS properties, e.revenue AS revenue, e.currency AS currency',
  )
  const subs = `subs AS (${subscriptionStatesSql(p, `(${events})`, p.time(req.from), req.exchange)})`
  const rows = await reader.rows(
    `WITH ${subs}
    SELECT grouping(plan) AS is_total, plan,
      countIf(active_from) AS active_at_start, countIf(is_new) AS started, countIf(cancelled_in) AS cancelled,
      countIf(churned) AS churned, countIf(active_to) AS active_at_end,
      sumIf(mrr_from, active_from) AS mrr_at_start, sumIf(mrr_to, active_to) AS mrr_at_end,
      countIf(active_to AND is_new) AS started_active, countIf(back) AS reactivated,
      countIf(kept AND mrr_to > mrr_from) AS expanded,
      countIf(kept AND mrr_to < mrr_from) AS contracted,
      sumIf(mrr_to, active_to AND is_new) AS mrr_new, sumIf(mrr_to, back) AS mrr_reactivated,
      sumIf(mrr_to - mrr_from, kept AND mrr_to > mrr_from) AS mrr_expansion,
      sumIf(mrr_from - mrr_to, kept AND mrr_to < mrr_from) AS mrr_contraction,
      sumIf(mrr_from, active_from AND NOT active_to) AS mrr_churned,
      uniqExactIf(person, active_to) AS customers,
      arraySort(arrayDistinct(arrayConcat(groupUniqArrayIf(cur_from, active_from AND cur_from != ''),
        groupUniqArrayIf(cur_to, active_to AND cur_to != '')))) AS currencies
    FROM (SELECT *, active_from AND active_to AS kept, active_to AND NOT active_from AND NOT is_new AS back
      FROM subs)
    GROUP BY GROUPING SETS ((plan), ())
    HAVING active_at_start + started + cancelled + active_at_end > 0 OR is_total = 1`,
    p,
  )
  const reasons = await reader.rows(
    `WITH ${subs}
    SELECT reason, count() AS cancelled FROM subs WHERE cancelled_in GROUP BY reason ORDER BY cancelled DESC, reason`,
    p,
  )
  const total = rows.find((r) => num(r.is_total) === 1)
  const series =
    req.interval &&
    (await subscriptionsSeries(reader, p, `(${events})`, {
      ...req,
      interval: req.interval,
      monthly: monthlyRevenueSql(p, req.exchange),
    }))
  return {
    ...figuresOf(total),
    customers: num(total?.customers),
    currencies: (total?.currencies as string[] | undefined) ?? [],
    plans: rows
      .filter((r) => num(r.is_total) === 0)
      .map((r) => ({ plan: String(r.plan), ...figuresOf(r) }))
      .sort(
        (a, b) =>
          b.activeAtEnd - a.activeAtEnd || b.activeAtStart - a.activeAtStart || a.plan.localeCompare(b.plan),
      ),
    reasons: reasons.map((r) => ({ reason: String(r.reason), cancelled: num(r.cancelled) })),
    ...(series && { series }),
  }
}

/** The events a subscription is made of. */
export const SUBSCRIPTION_EVENTS = [EVENT_NAMES.subscriptionStarted, EVENT_NAMES.subscriptionCancelled]

/**
 * One row per subscription of `source` (rows with person, event_id, event, timestamp, properties, revenue and
 * currency; each event id once is taken here), as the subscriptions report defines them: whether it was active at
 * `from` (SQL of a time) and at the end of `source` (`active_from`, `active_to`), new or cancelled since `from`,
 * churned, its plan, its latest start (`s_to`) and cancellation (`c_to`), and its revenue a month and currency at
 * either end (`mrr_from`, `cur_from`, `mrr_to`, `cur_to`).
 */
export function subscriptionStatesSql(
  p: QueryParams,
  source: string,
  from: string,
  exchange: Exchange | undefined,
): string {
  const S = `event = ${p.add(EVENT_NAMES.subscriptionStarted, 'String')}`
  const C = `event = ${p.add(EVENT_NAMES.subscriptionCancelled, 'String')}`
  const before = `timestamp < ${from}`
  // active at an instant: a start before it, and no cancellation after the latest such start
  return `SELECT *,
      any_s_from AND (NOT any_c_from OR s_from > c_from) AS active_from,
      any_s AND (NOT any_c OR s_to > c_to) AS active_to,
      any_s AND first_start >= ${from} AS is_new,
      active_from AND NOT active_to AS churned,
      if(any_s, plan_s, plan_c) AS plan
    FROM (
      SELECT JSONExtractString(properties, 'subscriptionId') AS sub, argMax(person, timestamp) AS person,
        countIf(${S} AND ${before}) > 0 AS any_s_from, maxIf(timestamp, ${S} AND ${before}) AS s_from,
        countIf(${C} AND ${before}) > 0 AS any_c_from, maxIf(timestamp, ${C} AND ${before}) AS c_from,
        countIf(${S}) > 0 AS any_s, maxIf(timestamp, ${S}) AS s_to, minIf(timestamp, ${S}) AS first_start,
        countIf(${C}) > 0 AS any_c, maxIf(timestamp, ${C}) AS c_to,
        countIf(${C} AND NOT ${before}) > 0 AS cancelled_in,
        argMaxIf(JSONExtractString(properties, 'reason'), timestamp, ${C} AND NOT ${before}) AS reason,
        argMaxIf(JSONExtractString(properties, 'plan'), timestamp, ${S}) AS plan_s,
        argMaxIf(JSONExtractString(properties, 'plan'), timestamp, ${C}) AS plan_c,
        argMaxIf(mrr, timestamp, ${S} AND ${before}) AS mrr_from, argMaxIf(cur, timestamp, ${S} AND ${before}) AS cur_from,
        argMaxIf(mrr, timestamp, ${S}) AS mrr_to, argMaxIf(cur, timestamp, ${S}) AS cur_to
      FROM (
        SELECT *, ${monthlyRevenueSql(p, exchange)} AS mrr, ${reportedCurrencySql(p, exchange, 'currency')} AS cur
        FROM ${source}
        LIMIT 1 BY event_id
      )
      GROUP BY sub
      HAVING sub != ''
    )`
}

function figuresOf(r: Record<string, unknown> | undefined): SubscriptionFigures {
  const activeAtStart = num(r?.active_at_start)
  const churned = num(r?.churned)
  return {
    activeAtStart,
    started: num(r?.started),
    cancelled: num(r?.cancelled),
    churned,
    churnRate: activeAtStart > 0 ? churned / activeAtStart : 0,
    activeAtEnd: num(r?.active_at_end),
    mrrAtStart: num(r?.mrr_at_start),
    mrrAtEnd: num(r?.mrr_at_end),
    startedActive: num(r?.started_active),
    reactivated: num(r?.reactivated),
    expanded: num(r?.expanded),
    contracted: num(r?.contracted),
    mrrNew: num(r?.mrr_new),
    mrrReactivated: num(r?.mrr_reactivated),
    mrrExpansion: num(r?.mrr_expansion),
    mrrContraction: num(r?.mrr_contraction),
    mrrChurned: num(r?.mrr_churned),
  }
}
