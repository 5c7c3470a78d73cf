import { EVENT_NAMES } from '@touchpoint/schema'
import type { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import { type Interval, PERIOD_START, periodStarts, startOfDay } from '../zone'
import type { MrrMovements } from './subscriptions'

/**
 * A period of the subscriptions report, with the MRR's movements in it (MrrMovements): the period before's
 * mrrAtEnd (the report's mrrAtStart for the first) and these give its own.
 */
export interface SubscriptionsPeriod extends MrrMovements {
  /** the period's first day, in the request's time zone */
  start: string
  /** subscriptions started for the first time in the period, and those with a cancellation in it */
  started: number
  cancelled: number
  /** subscriptions active at the period's end (at `to` for the last), and their revenue a month then */
  activeAtEnd: number
  mrrAtEnd: number
}

export interface SeriesQuery {
  from: Date
  to: Date
  interval: Interval
  timezone: string
  /** SQL of a start's revenue a month (subscriptions.ts, monthlyRevenueSql) */
  monthly: string
}

/**
 * The subscriptions report by period: each day, week or month of the range with the subscriptions started and
 * cancelled in it, those active at its end with their revenue a month, and how that revenue moved in it: the same
 * states as the report's, at every period's start and end. `source` is the report's rows of subscription events (person, event_id, event, timestamp,
 * properties, revenue, currency), each event id once taken here. Each subscription's events go into one array sorted
 * by time, a cancellation after a start of the same millisecond, and its state at a period's start or end is its
 * latest event before then.
 */
export async function subscriptionsSeries(
  reader: Reader,
  p: QueryParams,
  source: string,
  q: SeriesQuery,
): Promise<SubscriptionsPeriod[]> {
  const starts = periodStarts(q.from, q.to, q.interval, q.timezone)
  // each period's end: the next one's start, and `to` for the last
  const ends = starts.map((_, i) =>
    i + 1 < starts.length ? startOfDay(starts[i + 1]!, q.timezone).getTime() : q.to.getTime(),
  )
  const started = `event = ${p.add(EVENT_NAMES.subscriptionStarted, 'String')}`
  const sub = `JSONExtractString(properties, 'subscriptionId')`
  const events = `(SELECT * FROM ${source} LIMIT 1 BY event_id)`
  // the periods' bounds: `from`, then each period's end; a subscription's state at each is its latest event before
  const bounds = [q.from.getTime(), ...ends]
  const moved = (name: string, expr: string) =>
    `sumForEach(arrayMap((s0, s1, b0) -> ${expr}, arrayPopBack(at), arrayPopFront(at), ${p.add(bounds.slice(0, -1), 'Array(UInt64)')})) AS ${name}`
  const [states] = await reader.rows(
    `SELECT sumForEach(arrayMap(e -> toUInt64(e.2), arrayPopFront(at))) AS active,
      sumForEach(arrayMap(e -> if(e.2, e.3, 0.), arrayPopFront(at))) AS mrr,
      ${moved('mrr_new', 'if(s1.2 AND NOT s0.2 AND first >= b0, s1.3, 0.)')},
      ${moved('mrr_reactivated', 'if(s1.2 AND NOT s0.2 AND first < b0, s1.3, 0.)')},
      ${moved('mrr_expansion', 'if(s0.2 AND s1.2 AND s1.3 > s0.3, s1.3 - s0.3, 0.)')},
      ${moved('mrr_contraction', 'if(s0.2 AND s1.2 AND s1.3 < s0.3, s0.3 - s1.3, 0.)')},
      ${moved('mrr_churned', 'if(s0.2 AND NOT s1.2, s0.3, 0.)')}
    FROM (
      SELECT arrayMap(b -> arrayLast(e -> e.1 < b, evs), ${p.add(bounds, 'Array(UInt64)')}) AS at,
        arrayFirst(e -> e.2, evs).1 AS first
      FROM (
        SELECT arraySort(e -> (e.1, NOT e.2),
          groupArray((toUInt64(toUnixTimestamp64Milli(timestamp)), ${started}, ${q.monthly}))) AS evs
        FROM ${events}
        WHERE ${sub} != ''
        GROUP BY ${sub}
      )
    )`,
    p,
  )
  const tz = p.add(q.timezone, 'String')
  const from = p.time(q.from)
  const moves = await reader.rows(
    `SELECT start, countIf(kind = 'started') AS started, countIf(kind = 'cancelled') AS cancelled
    FROM (
      SELECT toString(${PERIOD_START[q.interval]}(min(timestamp), ${tz})) AS start, 'started' AS kind
      FROM ${events} WHERE ${started} AND ${sub} != '' GROUP BY ${sub} HAVING min(timestamp) >= ${from}
      UNION ALL
      SELECT start, 'cancelled' AS kind
      FROM (SELECT DISTINCT toString(${PERIOD_START[q.interval]}(timestamp, ${tz})) AS start, ${sub} AS s
        FROM ${events} WHERE NOT ${started} AND ${sub} != '' AND timestamp >= ${from})
    )
    GROUP BY start`,
    p,
  )
  const byStart = new Map(moves.map((r) => [String(r.start), r]))
  const at = (column: string, i: number) => num((states?.[column] as unknown[] | undefined)?.[i])
  return starts.map((start, i) => ({
    start,
    started: num(byStart.get(start)?.started),
    cancelled: num(byStart.get(start)?.cancelled),
    activeAtEnd: at('active', i),
    mrrAtEnd: at('mrr', i),
    mrrNew: at('mrr_new', i),
    mrrReactivated: at('mrr_reactivated', i),
    mrrExpansion: at('mrr_expansion', i),
    mrrContraction: at('mrr_contraction', i),
    mrrChurned: at('mrr_churned', i),
  }))
}
