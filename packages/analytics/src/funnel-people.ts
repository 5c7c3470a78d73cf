import { TABLES } from '@touchpoint/clickhouse'
import { fieldExpr } from './fields'
import { entryPeriodSql, perPersonSql } from './funnel'
import { QueryParams } from './params'
import { ALL_TIME, eventsWithPerson } from './people'
import { num, type Reader } from './reader'
import { type FunnelPeopleRequest, funnelPeopleRequest } from './requests'

export interface FunnelPerson {
  /** The person's user id, or their anonymous id when they never identified (docs/analytics.md, "People"). */
  person: string
  /** How many of the funnel's steps the person reached. */
  stepsReached: number
  /** When they entered: step 1 of the chain that counts them (any order: their first step-1 event in the range). */
  enteredAt: string
  /**
   * The times of the counted chain's steps, one for each step reached (ordered and strict mode); null in
   * any-order mode, where the steps have no order to time.
   */
  stepTimes: string[] | null
  /** The breakdown's value at step 1, with a breakdown. */
  value?: string
  /**
   * With `traits`: the latest value the person was sent with for each (text as it is, anything else as JSON), from
   * any of their events at any time; null for one never sent.
   */
  traits?: Record<string, string | null>
}

export interface FunnelPeopleResult {
  outcome: 'reached' | 'dropped'
  step: number
  /** how many were skipped before `people` */
  offset: number
  /** Everyone who matches; `people` lists `limit` of them from `offset`, latest to enter first. */
  total: number
  people: FunnelPerson[]
}

const iso = (ms: unknown) => new Date(num(ms)).toISOString()

/**
 * Who is behind one of a funnel's numbers: the people who reached a step (its `people`), or who dropped out there
 * (its `dropOff`), counted exactly as `funnel` counts them, so `total` equals that number (with `value`, the
 * breakdown's; with `period`, the period's). Those are the people a business reaches out to: the ones who
 * started a sign-up and did not finish it.
 *
 * The same per-person query as the funnel's, with each person's id instead of its hash: the ids are shown here.
 */
export async function funnelPeople(reader: Reader, input: FunnelPeopleRequest): Promise<FunnelPeopleResult> {
  const req = funnelPeopleRequest.parse(input)
  const p = new QueryParams()
  const perPerson = perPersonSql(req, p, false)
  const where = [
    req.outcome === 'reached'
      ? `level >= ${p.add(req.step, 'UInt8')}`
      : `level = ${p.add(req.step - 1, 'UInt8')}`,
    ...(req.value !== undefined ? [`bd = ${p.add(req.value, 'String')}`] : []),
    ...(req.period !== undefined && req.interval !== undefined
      ? [`${entryPeriodSql(req.interval, req.timezone, p)} = ${p.add(req.period, 'String')}`]
      : []),
  ].join(' AND ')
  const rows = await reader.rows(
    `SELECT person, bd, level, chain, count() OVER () AS total
    FROM (${perPerson})
    WHERE ${where}
    ORDER BY chain[1] DESC, person
    LIMIT ${p.add(req.limit, 'UInt32')} OFFSET ${p.add(req.offset, 'UInt32')}`,
    p,
  )
  const timed = req.mode !== 'any'
  const traits = req.traits.length
    ? await latestTraits(
        reader,
        req.project,
        rows.map((r) => String(r.person)),
        req.traits,
      )
    : undefined
  return {
    outcome: req.outcome,
    step: req.step,
    offset: req.offset,
    // a page past the end has no row to carry the total
    total: rows.length
      ? num(rows[0]?.total)
      : req.offset > 0
        ? await countOf(reader, perPerson, where, p)
        : 0,
    people: rows.map((r) => {
      const level = num(r.level)
      const chain = r.chain as unknown[]
      return {
        person: String(r.person),
        stepsReached: level,
        enteredAt: iso(chain[0]),
        stepTimes: timed ? chain.slice(0, level).map(iso) : null,
        ...(req.breakdown !== undefined && { value: String(r.bd) }),
        ...(traits && {
          traits: traits.get(String(r.person)) ?? Object.fromEntries(req.traits.map((t) => [t, null])),
        }),
      }
    }),
  }
}

/** How many people a funnel's per-person query has where `where` holds. */
async function countOf(reader: Reader, perPerson: string, where: string, p: QueryParams): Promise<number> {
  const [row] = await reader.rows(`SELECT count() AS n FROM (${perPerson}) WHERE ${where}`, p)
  return num(row?.n)
}

/**
 * The latest value of each named trait of each person (identity resolved), from every event of theirs that carries
 * traits. The events are found by the people's ids and the anonymous ids linked to them, which the ids' bloom-filter
 * indexes serve, before the identity join.
 */
async function latestTraits(
  reader: Reader,
  project: string,
  people: string[],
  names: string[],
): Promise<Map<string, Record<string, string | null>>> {
  const found = new Map<string, Record<string, string | null>>()
  if (!people.length) return found
  const p = new QueryParams()
  const ids = p.add(people, 'Array(String)')
  const events = eventsWithPerson(
    p,
    {
      project,
      ...ALL_TIME,
      where: `e.traits NOT IN ('', '{}') AND (e.user_id IN ${ids} OR e.anonymous_id IN ${ids}
        OR e.anonymous_id IN (SELECT anonymous_id FROM ${TABLES.identities}
          WHERE project_id = ${p.add(project, 'String')} AND user_id IN ${ids}))`,
    },
    'e.traits AS traits, e.timestamp AS timestamp',
  )
  const values = names.map((name) => {
    const key = p.add(name, 'String')
    const sent = `JSONHas(traits, ${key}) AND JSONType(traits, ${key}) != 'Null'`
    return `if(countIf(${sent}) > 0, argMaxIf(${fieldExpr(`traits.${name}`, p)}, timestamp, ${sent}), NULL)`
  })
  const rows = await reader.rows(
    `SELECT person, [${values.join(', ')}] AS vals
    FROM (${events}) WHERE person IN ${ids} GROUP BY person`,
    p,
  )
  for (const r of rows) {
    const vals = r.vals as Array<string | null>
    found.set(String(r.person), Object.fromEntries(names.map((n, i) => [n, vals[i] ?? null])))
  }
  return found
}
