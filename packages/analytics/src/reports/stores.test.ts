import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { stores } from './stores'

const visit = (user: string, at: string, storeId: string, durationMinutes?: number): FixtureEvent => ({
  event: 'Store Visited',
  user,
  at,
  properties: { storeId, ...(durationMinutes !== undefined && { durationMinutes }) },
})
const order = (user: string, at: string, revenue: number, storeId?: string, id?: string): FixtureEvent => ({
  event: 'Order Completed',
  user,
  at,
  revenue,
  currency: 'EUR',
  properties: { channel: storeId ? 'store' : 'web', ...(storeId && { storeId }) },
  ...(id && { id }),
})
const RETRY = '00000000-0000-8000-8000-0000000005e0'

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // Mitte: u1 twice (20 and 40 minutes), u2 once without a length; u1 bought there (sent twice: once)
    visit('u1', '2026-08-03T10:00:00Z', 'mitte', 20),
    visit('u1', '2026-08-05T10:00:00Z', 'mitte', 40),
    visit('u2', '2026-08-05T11:00:00Z', 'mitte'),
    order('u1', '2026-08-05T10:30:00Z', 120, 'mitte', RETRY),
    order('u1', '2026-08-05T10:30:00Z', 120, 'mitte', RETRY),
    // Kreuzberg: an order with no visit recorded; a web order names no store
    order('u3', '2026-08-06T12:00:00Z', 60, 'kreuzberg'),
    order('u2', '2026-08-06T13:00:00Z', 99),
    // before the range
    visit('u4', '2026-07-30T10:00:00Z', 'mitte', 5),
  ])
})
afterAll(() => fx?.close())

describe('stores report', () => {
  it('sets the visits of each store beside the orders it took', async () => {
    const r = await stores(fx.reader, { project: PROJECT, from: '2026-08-01', to: '2026-09-01' })
    expect(r.rows).toEqual([
      { storeId: 'mitte', visits: 3, visitors: 2, medianMinutes: 30, orders: 1, revenue: 120, buyers: 1 },
      {
        storeId: 'kreuzberg',
        visits: 0,
        visitors: 0,
        medianMinutes: null,
        orders: 1,
        revenue: 60,
        buyers: 1,
      },
    ])
    expect(r.total).toEqual({
      visits: 3,
      visitors: 2,
      medianMinutes: 30,
      orders: 2,
      revenue: 180,
      buyers: 2,
      stores: 2,
    })
    expect(r.currencies).toEqual(['EUR'])
    const one = await stores(fx.reader, { project: PROJECT, from: '2026-08-01', to: '2026-09-01', limit: 1 })
    expect(one.rows.map((x) => x.storeId)).toEqual(['mitte'])
    expect(one.total.stores).toBe(2)
  })
})
