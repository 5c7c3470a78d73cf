import { EVENT_NAMES } from '@touchpoint/schema'
import { fieldExpr, matchExpr } from '../fields'
import { QueryParams } from '../params'
import { eventsWithPerson } from '../people'
import { num, type Reader } from '../reader'
import { type RetentionRequest, retentionRequest } from '../requests'
import { PERIOD_START } from '../zone'

export interface RetentionCohort {
  /** the first day of the cohort's day, week (from Monday) or month, in the request's time zone */
  start: string
  /** the people whose first activity ever fell in it */
  people: number
  /** of those, how many were active in each period since: [0] is the cohort's own (all of them), then the next… */
  retained: number[]
  /** retained ÷ people */
  rates: number[]
}

export interface RetentionResult {
  interval: 'day' | 'week' | 'month'
  timezone: string
  cohorts: RetentionCohort[]
  /** each period's rate over every cohort that has reached it, weighted by their people */
  average: number[]
  /**
   * With a breakdown: the same average for the people of each value of the field on their first activity (the
   * channel that first brought them, say), the most people first.
   */
  segments?: Array<{ value: string; people: number; average: number[] }>
}

/**
 * Do people come back: the people whose first activity ever (identity resolved, over all of history) fell in the
 * range, grouped into cohorts by its day, week or month, and for each cohort how many were active again in each
 * period after it, up to `to`. A cohort has one period for each day, week or month from its own to the one `to`
 * falls in, so the latest is cut short by `to`. Activity is every event a person made (`event` narrows it, as to
 * `Order Completed` for repeat purchases); their emails' sends, opens and clicks are not theirs to count, since a
 * mail client's privacy proxy opens every email it receives, and a click that lands shows as a page view anyway.
 * Bots count nowhere.
 *
 * One pass over the events: each person's first activity and the set of their periods, then one row per period.
 */
export async function retention(reader: Reader, input: RetentionRequest): Promise<RetentionResult> {
  const req = retentionRequest.parse(input)
  const p = new QueryParams()
  const tz = p.add(req.timezone, 'String')
  const start = (t: string) => `${PERIOD_START[req.interval]}(${t}, ${tz})`
  const activity = req.event
    ? matchExpr(req.event, p)
    : `e.source != 'email' AND e.event != ${p.add(EVENT_NAMES.emailSent, 'String')}`
  // a person's segment: the breakdown's value on their first activity ('' for everyone without one, read for nobody)
  const events = eventsWithPerson(
    p,
    { project: req.project, from: new Date(0), to: req.to, where: activity },
    req.breakdown ? `e.timestamp AS t, ${fieldExpr(req.breakdown, p)} AS sv` : 'e.timestamp AS t',
    true,
  )
  const segment = req.breakdown ? 'argMin(sv, t)' : `''`
  const lastPeriod = start(p.time(new Date(req.to.getTime() - 1)))
  const sql = `
    SELECT seg, toString(cohort) AS start, dateDiff('${req.interval}', cohort, period) AS k, count() AS people,
      any(dateDiff('${req.interval}', cohort, ${lastPeriod}) + 1) AS periods
    FROM (
      SELECT ${start('first')} AS cohort, seg, arrayJoin(periods) AS period
      FROM (SELECT person, min(t) AS first, ${segment} AS seg, groupUniqArray(${start('t')}) AS periods
        FROM (${events}) GROUP BY person)
      WHERE first >= ${p.time(req.from)}
    )
    GROUP BY seg, start, k
    ORDER BY start, k`
  const rows = await reader.rows(sql, p)
  // the cohorts of every segment, and of each (a person's segment: the breakdown's value on their first activity)
  const all = new Map<string, RetentionCohort>()
  const bySegment = new Map<string, Map<string, RetentionCohort>>()
  const add = (cohorts: Map<string, RetentionCohort>, r: Record<string, unknown>) => {
    const key = String(r.start)
    let c = cohorts.get(key)
    if (!c) {
      c = { start: key, people: 0, retained: new Array(num(r.periods)).fill(0), rates: [] }
      cohorts.set(key, c)
    }
    c.retained[num(r.k)] = (c.retained[num(r.k)] ?? 0) + num(r.people)
  }
  for (const r of rows) {
    add(all, r)
    const seg = String(r.seg)
    if (!bySegment.has(seg)) bySegment.set(seg, new Map())
    add(bySegment.get(seg)!, r)
  }
  const list = withRates(all)
  const result: RetentionResult = {
    interval: req.interval,
    timezone: req.timezone,
    cohorts: list,
    average: averageOf(list),
  }
  if (req.breakdown)
    result.segments = [...bySegment]
      .map(([value, cohorts]) => {
        const of = withRates(cohorts)
        return { value, people: of.reduce((n, c) => n + c.people, 0), average: averageOf(of) }
      })
      .sort((a, b) => b.people - a.people || a.value.localeCompare(b.value))
  return result
}

/** The cohorts with their people (those active in their own period, so all of them) and rates. */
function withRates(cohorts: Map<string, RetentionCohort>): RetentionCohort[] {
  const list = [...cohorts.values()]
  for (const c of list) {
    c.people = c.retained[0] ?? 0
    c.rates = c.retained.map((n) => (c.people > 0 ? n / c.people : 0))
  }
  return list
}

/** Each period's rate over every cohort that has reached it, weighted by their people. */
function averageOf(list: RetentionCohort[]): number[] {
  const longest = Math.max(0, ...list.map((c) => c.retained.length))
  return Array.from({ length: longest }, (_, k) => {
    const reached = list.filter((c) => c.retained.length > k)
    const people = reached.reduce((sum, c) => sum + c.people, 0)
    return people > 0 ? reached.reduce((sum, c) => sum + (c.retained[k] ?? 0), 0) / people : 0
  })
}
