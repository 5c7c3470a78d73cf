import { PLAN_CODES } from '@touchpoint/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, openFixture, PROJECT } from '../testing/fixture'
import { plan } from './plan'
import { rejected } from './rejected'

const T0 = Date.UTC(2026, 4, 4, 9)
const MIN = 60_000
const range = { project: PROJECT, from: '2026-05-04', to: '2026-05-05' }
const planIssue = { path: 'properties.plan', message: 'is required by the tracking plan (string)' }
const seats = { path: 'properties.seats', message: 'must be at least 1 by the tracking plan' }
const email = { path: 'traits.email', message: 'is required by the tracking plan (string)' }
const unplanned = { path: 'event', message: '"Plan Chosen" is not in the tracking plan' }
const selected = JSON.stringify({ type: 'track', event: 'Plan Selected', userId: 'u1' })

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.rejected([
    // two events stored with a missing plan, one also with too few seats; the second kept twice (a retry)
    { code: PLAN_CODES.stored, issues: [planIssue], at: T0, raw: selected },
    { code: PLAN_CODES.stored, issues: [planIssue, seats], at: T0 + MIN, raw: selected, id: ID },
    { code: PLAN_CODES.stored, issues: [planIssue, seats], at: T0 + 2 * MIN, raw: selected, id: ID },
    // one refused for the missing plan, an identify stored without its email, an unplanned event refused
    { code: PLAN_CODES.refused, issues: [planIssue], at: T0 + 3 * MIN, raw: selected },
    {
      code: PLAN_CODES.stored,
      issues: [email],
      at: T0,
      raw: JSON.stringify({ type: 'identify', userId: 'u1' }),
    },
    {
      code: PLAN_CODES.refused,
      issues: [unplanned],
      at: T0 + 4 * MIN,
      raw: JSON.stringify({ type: 'track', event: 'Plan Chosen', userId: 'u1' }),
    },
    // a call refused for another reason, one outside the range, another project's
    { code: 'TP_ERR_VALIDATION', issues: [{ path: 'event', message: 'is required (string)' }], at: T0 },
    { code: PLAN_CODES.stored, issues: [planIssue], at: T0 - 10 * 3_600_000, raw: selected },
    { code: PLAN_CODES.stored, issues: [planIssue], at: T0, raw: selected, project: 'other' },
  ])
})
afterAll(() => fx?.close())

const ID = '00000000-0000-4000-8000-00000000000b'

describe('tracking plan report', () => {
  it('counts each event once by event and field, stored apart from refused', async () => {
    const r = await plan(fx.reader, range)
    expect(r.rows.map((x) => [x.event, x.field, x.stored, x.refused])).toEqual([
      ['Plan Selected', 'properties.plan', 2, 1],
      ['(identify)', 'traits.email', 1, 0],
      ['Plan Chosen', 'event', 0, 1],
      ['Plan Selected', 'properties.seats', 1, 0],
    ])
    expect(r.rows[0]).toMatchObject({
      message: planIssue.message,
      lastSeen: new Date(T0 + 3 * MIN).toISOString(),
    })
    expect(r.total).toEqual({ stored: 3, refused: 2, rows: 4 })
    const one = await plan(fx.reader, { ...range, limit: 1 })
    expect(one.rows).toHaveLength(1)
    expect(one.total).toEqual({ stored: 3, refused: 2, rows: 4 })
  })

  it('leaves the events stored with a violation out of the refused calls', async () => {
    const r = await rejected(fx.reader, range)
    expect(r.rows.map((x) => [x.code, x.field, x.refused])).toEqual([
      ['TP_ERR_TRACKING_PLAN', 'event', 1],
      ['TP_ERR_TRACKING_PLAN', 'properties.plan', 1],
      ['TP_ERR_VALIDATION', 'event', 1],
    ])
    expect(r.total.refused).toBe(3)
  })
})
