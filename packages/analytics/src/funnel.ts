import { EVENT_COLUMNS } from './columns'
import { fieldExpr, matchExpr } from './fields'
import { QueryParams } from './params'
import { eventsWithPerson } from './people'
import { num, type Reader } from './reader'
import { matchLabel } from './request-parts'
import { type FunnelQuery, type FunnelRequest, funnelRequest } from './requests'
import { type Interval, PERIOD_START, periodStarts } from './zone'

export interface FunnelStepResult {
  step: number
  event: string
  /** the step's `label`, or its event and filters as the CLI writes them: `Page Viewed[path=/pricing]` */
  label: string
  /** People who reached this step. */
  people: number
  /** people / people at step 1 (1 at step 1; 0 when nobody entered). */
  conversionFromFirst: number
  /** people / people at the previous step. */
  conversionFromPrevious: number
  /** People at the previous step who did not reach this one (0 at step 1). */
  dropOff: number
  /** Seconds from the previous step (null at step 1, in any-order mode, or with nobody at the step). */
  medianSecondsFromPrevious: number | null
  p90SecondsFromPrevious: number | null
}

export interface FunnelResult {
  steps: FunnelStepResult[]
  /** With a breakdown: the same steps per value of the breakdown field at step 1, largest first. */
  breakdown?: Array<{ value: string; steps: FunnelStepResult[] }>
  /**
   * With an interval: the same steps for the people who entered in each day, week (from Monday) or month of the
   * range, in its time zone, every period in order (none left out for having nobody). Each person counts in the
   * period of step 1 of the chain that counts them, so the periods' people add up to the totals.
   */
  periods?: Array<{ start: string; steps: FunnelStepResult[] }>
}

/**
 * Funnels, exactly as docs/analytics.md defines them.
 *
 * Ordered mode works on millisecond timestamps. Step 1 must fall in [from, to); later steps may follow up to the
 * window after `to`. For each step-1 event it builds the greedy chain: each next step is the earliest matching
 * event at or after the previous one, within the window of that step-1 event, which reaches furthest for a
 * fixed start. Of those chains, the one that reaches furthest (latest start first) counts the person: its
 * length is the person's level and its steps give the step-to-step times.
 *
 * Strict mode counts levels with windowFunnel(…, 'strict_order'), so any other event of the person between two
 * steps ends the chain; that is why it reads all of a person's events, not only the steps'. Its times come from
 * the ordered chain, as above.
 *
 * Any-order mode: a person reaches step k when some window [s, s + window] holds events of steps 1..k in any
 * order, with the step-1 event in [from, to).
 */
export async function funnel(reader: Reader, input: FunnelRequest): Promise<FunnelResult> {
  const req = funnelRequest.parse(input)
  const p = new QueryParams()
  // person is only grouped by, never shown: its 64-bit hash joins and groups a third faster
  const perPerson = perPersonSql(req, p, true)
  const k = req.steps.length

  const perStep = Array.from({ length: k }, (_, i) => {
    const n = i + 1
    const reached = `countIf(level >= ${n}) AS r${n}`
    if (n === 1 || req.mode === 'any') return reached
    return `${reached}, quantilesExactInclusiveIf(0.5, 0.9)((chain[${n}] - chain[${n - 1}]) / 1000, level >= ${n} AND chain[${n}] > 0) AS q${n}`
  }).join(',\n      ')
  // the totals, and with a breakdown or an interval the same by its value or period: one grouping set each
  const keys = [...(req.breakdown ? ['bd'] : []), ...(req.interval ? ['period'] : [])]
  const query = `SELECT ${keys.map((key) => `grouping(${key}) AS all_${key}, ${key},`).join(' ')}
      ${perStep}
    FROM (${req.interval ? `SELECT *, ${entryPeriodSql(req.interval, req.timezone, p)} AS period FROM (${perPerson})` : perPerson})
    ${keys.length ? `GROUP BY GROUPING SETS (${keys.map((key) => `(${key})`).join(', ')}, ())` : ''}`

  const rows = await reader.rows(query, p)
  const toSteps = (row: Record<string, unknown> | undefined): FunnelStepResult[] => {
    const reached = req.steps.map((_, i) => num(row?.[`r${i + 1}`]))
    return req.steps.map((step, i) => {
      const q = row?.[`q${i + 1}`] as number[] | undefined
      const people = reached[i] ?? 0
      const first = reached[0] ?? 0
      const prev = i === 0 ? people : (reached[i - 1] ?? 0)
      const timed = people > 0 && q !== undefined && Number.isFinite(q[0])
      return {
        step: i + 1,
        event: step.event,
        label: matchLabel(step),
        people,
        conversionFromFirst: first > 0 ? people / first : 0,
        conversionFromPrevious: prev > 0 ? people / prev : 0,
        dropOff: prev - people,
        medianSecondsFromPrevious: timed ? (q[0] as number) : null,
        p90SecondsFromPrevious: timed ? (q[1] as number) : null,
      }
    })
  }
  // grouping(key) is 1 where the row's grouping set leaves the key out: 1 for every key on the totals' row
  const by = (key: string) => rows.filter((r) => num(r[`all_${key}`]) === 0)
  const totalRow = rows.find((r) => keys.every((key) => num(r[`all_${key}`]) === 1))
  const result: FunnelResult = { steps: toSteps(totalRow) }
  if (req.breakdown) {
    result.breakdown = by('bd')
      .map((r) => ({ value: String(r.bd), steps: toSteps(r) }))
      .sort((a, b) => (b.steps[0]?.people ?? 0) - (a.steps[0]?.people ?? 0) || a.value.localeCompare(b.value))
  }
  if (req.interval) {
    const entered = new Map(by('period').map((r) => [String(r.period), r]))
    result.periods = periodStarts(req.from, req.to, req.interval, req.timezone).map((start) => ({
      start,
      steps: toSteps(entered.get(start)),
    }))
  }
  return result
}

/**
 * The first day (text, `YYYY-MM-DD`) of the day, week or month, in `timezone`, that a row of perPersonSql entered
 * the funnel in: the counted chain's step 1 (any order: the first step-1 event in the range).
 */
export const entryPeriodSql = (interval: Interval, timezone: string, p: QueryParams) => {
  const tz = p.add(timezone, 'String')
  return `toString(${PERIOD_START[interval]}(fromUnixTimestamp64Milli(toInt64(chain[1]), ${tz}), ${tz}))`
}

/**
 * One row per person who entered the funnel: `person` (the id, or with `hashed` its 64-bit hash), `bd` (the
 * breakdown's value at step 1, '' without one), `level` (the steps reached) and `chain`: in ordered and strict
 * mode the times of the counted chain's steps ([t1, t2, …], 0 for a step it misses), in any-order mode only the
 * first step-1 time in the range ([t1]).
 */
export function perPersonSql(req: FunnelQuery, p: QueryParams, hashed: boolean): string {
  const windowMs = req.window * 1000
  const W = p.add(windowMs, 'UInt64')
  const inRange = `ts >= ${p.add(req.from.getTime(), 'UInt64')} AND ts < ${p.add(req.to.getTime(), 'UInt64')}`
  const matches = req.steps.map((s) => matchExpr(s, p))
  const conds = matches.map((m, i) => (i === 0 ? `(${m}) AND ${inRange}` : m))
  const stepMatches = matches.map((m) => `(${m})`).join(' OR ')
  const names = p.add([...new Set(req.steps.map((s) => s.event))], 'Array(String)')
  const base = eventsWithPerson(
    p,
    {
      project: req.project,
      from: new Date(req.from.getTime() - (req.mode === 'any' ? windowMs : 0)),
      to: new Date(req.to.getTime() + windowMs + 1),
      // Strict order looks at every event in between. Otherwise only events that fill some step matter, so the
      // others are left out before the identity join and the grouping: on the bench's 10M events a filtered
      // first step (Page Viewed on /pricing) halves the rows.
      where: req.mode === 'strict' ? undefined : `e.event IN ${names} AND (${stepMatches})`,
    },
    // ts: UInt64 milliseconds, the unit windowFunnel and the chain arithmetic work in
    `${EVENT_COLUMNS}, toUInt64(toUnixTimestamp64Milli(e.timestamp)) AS ts`,
    hashed,
  )
  // every event with the steps it fills; the breakdown's step-1 test reads bit 0 instead of the step's conditions
  const withSteps = `SELECT *, ${stepMaskSql(conds)} AS step_mask FROM (${base})`
  const bd = req.breakdown ? `argMinIf(${fieldExpr(req.breakdown, p)}, ts, bitTest(step_mask, 0))` : `''`
  const k = req.steps.length

  if (req.mode === 'any')
    return `SELECT person, bd,
        arrayMax(arrayMap(f -> toInt32(bitCount(bitXor(f, f + 1))) - 1,
          arrayMap(s -> arrayFold((acc, t, m) -> if(t >= s AND t <= s + ${W}, bitOr(acc, m), acc), a, mk, toUInt64(0)), a))) AS level,
        [arrayMin(arrayFilter((t, m) -> bitTest(m, 0), a, mk))] AS chain
      FROM (
        SELECT person, ${bd} AS bd, groupArray(ts) AS a, groupArray(step_mask) AS mk
        FROM (${withSteps}) WHERE step_mask > 0
        GROUP BY person
      )
      WHERE level > 0`
  // Strict order needs windowFunnel. In ordered mode the chains themselves give the level: the greedy chain is
  // the furthest-reaching one for its start, so the best chain's length is the furthest step of any chain.
  // (windowFunnel beside the chains cost 0.4–0.7 s of 2.0–2.4 s: the 4-step funnel on the bench's 10M events.)
  const strict = req.mode === 'strict'
  const level = strict ? `windowFunnel(${W}, 'strict_order')(ts, ${conds.join(', ')}) AS level, ` : ''
  const grouped = `SELECT person, bd, ${strict ? 'level, ' : ''}${stepArraysSql(k)}
      FROM (
        SELECT person, ${bd} AS bd, ${level}${MARKED_TIMES}
        FROM (${withSteps})
        GROUP BY person
        ${strict ? 'HAVING level > 0' : ''}
      )
      ${strict ? '' : 'WHERE notEmpty(s1)'}`
  return orderedChainSql(k, W, grouped, strict ? 'level' : 'arrayCount(x -> x > 0, chain) AS level')
}

/**
 * Which steps an event fills, as a bit mask: bit i for step i + 1 (a request has at most 20 steps). One event may
 * fill several steps.
 */
const stepMaskSql = (conds: string[]) =>
  `toUInt64(${conds.map((c, i) => `if(${c}, ${2 ** i}, 0)`).join(' + ')})`

/**
 * Each person's step-filling events as one sorted array of `ts << 20 | step_mask`: one array state and one sort per
 * person, where an array per step took one of each per step. A millisecond timestamp is below 2^44 until the year
 * 2527, past DateTime64's range, so it keeps its order in the upper 44 bits. On the bench's 10M events the
 * 4-step funnel takes 8–17% less time (docs/performance.md).
 */
const MARKED_TIMES =
  'arraySort(groupArrayIf(bitOr(bitShiftLeft(ts, 20), step_mask), step_mask != 0)) AS marked'

/** The sorted times of each step, s1..sk, split from `marked`. */
const stepArraysSql = (k: number) =>
  Array.from(
    { length: k },
    (_, i) => `arrayMap(x -> bitShiftRight(x, 20), arrayFilter(x -> bitTest(x, ${i}), marked)) AS s${i + 1}`,
  ).join(', ')

/**
 * Each person's row from `grouped` (person, bd, the sorted step arrays s1..sk, and `level` in strict mode) with
 * the chain that counts them: for each step-1 event the greedy chain, built one step at a time over all starts
 * (c2 from s1, c3 from c2, …; 0 once a step is missed), and of those the one reaching furthest, latest start
 * first, picked by one score per start. `chain` is [t1, t2, …, tk], 0 for the steps it misses; `level` is the
 * given expression.
 *
 * The steps and the pick are two SELECTs, not one, because ClickHouse expands a SELECT's aliases where they
 * are used: in one SELECT, the chain's k picks would each expand the score and through it every step. For 20
 * steps that query tree passed ClickHouse's limit of 500,000 nodes.
 */
function orderedChainSql(k: number, window: string, grouped: string, level: string): string {
  if (k === 1) return `SELECT person, bd, [s1[-1]] AS chain, ${level} FROM (${grouped})`
  const steps: string[] = []
  for (let i = 2; i <= k; i++) {
    const prev = i === 2 ? 's1' : `c${i - 1}`
    steps.push(
      `arrayMap((t1, c) -> if(c = 0, toUInt64(0), arrayFirst(y -> y >= c AND y <= t1 + ${window}, s${i})), s1, ${prev}) AS c${i}`,
    )
  }
  const later = Array.from({ length: k - 1 }, (_, i) => `c${i + 2}`)
  const xs = later.map((_, i) => `x${i + 2}`)
  // steps reached × 2^42 + start: a millisecond timestamp is below 2^42 (until 2109), so the score orders by
  // steps reached, then by the latest start
  const reached = xs.map((x) => `(${x} > 0)`).join(' + ')
  const score = `arrayMap((t1, ${xs.join(', ')}) -> (${reached}) * 4398046511104 + t1, s1, ${later.join(', ')}) AS score`
  const best = 'indexOf(score, arrayMax(score)) AS best'
  const chain = `[s1[best], ${later.map((c) => `${c}[best]`).join(', ')}] AS chain`
  return `SELECT person, bd, ${score}, ${best}, ${chain}, ${level}
      FROM (SELECT *, ${steps.join(', ')} FROM (${grouped}))`
}
