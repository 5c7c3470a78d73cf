import { EVENT_NAMES } from '@touchpoint/schema'
import { matchExpr } from '../fields'
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
  const events = eventsWithPerson(
    p,
    { project: req.project, from: new Date(0), to: req.to, where: activity },
    'e.timestamp AS t',
    true,
  )
  const lastPeriod = start(p.time(new Date(req.to.getTime() - 1)))
  const sql = `
    SELECT toString(cohort) AS start, dateDiff('${req.interval}', cohort, period) AS k, count() AS people,
      any(dateDiff('${req.interval}', cohort, ${lastPeriod}) + 1) AS periods
    FROM (
      SELECT ${start('first')} AS cohort, arrayJoin(periods) AS period
      FROM (SELECT person, min(t) AS first, groupUniqArray(${start('t')}) AS periods FROM (${events}) GROUP BY person)
      WHERE first >= ${p.time(req.from)}
    )
    GROUP BY start, k
    ORDER BY start, k`
  const rows = await reader.rows(sql, p)
  const cohorts = new Map<string, RetentionCohort>()
  for (const r of rows) {
    const key = String(r.start)
    let c = cohorts.get(key)
    if (!c) {
      c = { start: key, people: 0, retained: new Array(num(r.periods)).fill(0), rates: [] }
      cohorts.set(key, c)
    }
    c.retained[num(r.k)] = num(r.people)
  }
  const list = [...cohorts.values()]
  for (const c of list) {
    c.people = c.retained[0] ?? 0
    c.rates = c.retained.map((n) => (c.people > 0 ? n / c.people : 0))
  }
  const longest = Math.max(0, ...list.map((c) => c.retained.length))
  const average = Array.from({ length: longest }, (_, k) => {
    const reached = list.filter((c) => c.retained.length > k)
    const people = reached.reduce((sum, c) => sum + c.people, 0)
    return people > 0 ? reached.reduce((sum, c) => sum + (c.retained[k] ?? 0), 0) / people : 0
  })
  return { interval: req.interval, timezone: req.timezone, cohorts: list, average }
}
