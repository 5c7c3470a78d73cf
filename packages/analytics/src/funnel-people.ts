import { perPersonSql } from './funnel'
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
}

export interface FunnelPeopleResult {
  outcome: 'reached' | 'dropped'
  step: number
  /** Everyone who matches; `people` lists the first `limit` of them, latest to enter first. */
  total: number
  people: FunnelPerson[]
}

const iso = (ms: unknown) => new Date(num(ms)).toISOString()

/**
 * Who is behind one of a funnel's numbers: the people who reached a step (its `people`), or who dropped out there
 * (its `dropOff`), counted exactly as `funnel` counts them, so `total` equals that number. Those are the people a
 * business reaches out to: the ones who started a sign-up and did not finish it.
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
  ].join(' AND ')
  const rows = await reader.rows(
    `SELECT person, bd, level, chain, count() OVER () AS total
    FROM (${perPerson})
    WHERE ${where}
    ORDER BY chain[1] DESC, person
    LIMIT ${p.add(req.limit, 'UInt32')}`,
    p,
  )
  const timed = req.mode !== 'any'
  return {
    outcome: req.outcome,
    step: req.step,
    total: num(rows[0]?.total),
    people: rows.map((r) => {
      const level = num(r.level)
      const chain = r.chain as unknown[]
      return {
        person: String(r.person),
        stepsReached: level,
        enteredAt: iso(chain[0]),
        stepTimes: timed ? chain.slice(0, level).map(iso) : null,
        ...(req.breakdown !== undefined && { value: String(r.bd) }),
      }
    }),
  }
}
