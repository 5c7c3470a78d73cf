import { entryPeriodSql, perPersonSql } from './funnel'
import { latestTraits } from './latest-traits'
import { QueryParams } from './params'
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
  /**
   * Everyone who matches; `people` lists `limit` of them from `offset`, latest to enter first, or with `after`,
   * those whose id comes after it, in the ids' order (a page's last person is the next page's `after`).
   */
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
  // the total counts everyone who matches, also with `after`, which only picks where the page begins
  const listed = `SELECT person, bd, level, chain, count() OVER () AS total FROM (${perPerson}) WHERE ${where}`
  const limit = p.add(req.limit, 'UInt32')
  const rows = await reader.rows(
    req.after === undefined
      ? `${listed} ORDER BY chain[1] DESC, person LIMIT ${limit} OFFSET ${p.add(req.offset, 'UInt32')}`
      : `SELECT * FROM (${listed}) WHERE person > ${p.add(req.after, 'String')} ORDER BY person LIMIT ${limit}`,
    p,
  )
  const timed = req.mode !== 'any'
  const traits = await latestTraits(
    reader,
    req.project,
    rows.map((r) => String(r.person)),
    req.traits,
  )
  return {
    outcome: req.outcome,
    step: req.step,
    offset: req.offset,
    // a page past the end has no row to carry the total
    total: rows.length
      ? num(rows[0]?.total)
      : req.offset > 0 || req.after !== undefined
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
          traits: traits(String(r.person)),
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
