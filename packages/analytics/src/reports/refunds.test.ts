import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { orders } from './orders'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 2, 2, 12)
const range = { project: PROJECT, from: '2026-03-02', to: '2026-03-09' }
const RETRY = '00000000-0000-4000-8000-0000000000f1'

const order = (orderId: string, at: number, revenue: number, currency = 'EUR'): FixtureEvent => ({
  event: 'Order Completed',
  user: `buyer-${orderId}`,
  at,
  revenue,
  currency,
  properties: { orderId, channel: 'web' },
})
const refund = (orderId: string, at: number, amount?: { revenue: number; currency: string }, id?: string) =>
  ({
    event: 'Order Refunded',
    user: `buyer-${orderId}`,
    at,
    ...(amount ?? {}),
    properties: { orderId, ...(amount ?? {}) },
    ...(id && { id }),
  }) as FixtureEvent

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    order('O-1', T0, 100), // in the range, given back in part (30 EUR)
    order('O-2', T0 - 10 * DAY, 80), // before the range, given back whole in it
    order('O-3', T0 + DAY, 40, 'USD'), // in the range, given back in part in dollars (10 USD)
    order('O-4', T0 + DAY, 60), // kept
    refund('O-1', T0 + DAY, { revenue: 30, currency: 'EUR' }),
    refund('O-2', T0 + 2 * DAY, undefined, RETRY),
    refund('O-2', T0 + 2 * DAY, undefined, RETRY), // the same refund, retried
    refund('O-3', T0 + 3 * DAY, { revenue: 10, currency: 'USD' }),
    refund('O-9', T0 + 3 * DAY), // an order Touchpoint never saw: counted, nothing to add up
    { ...refund('O-4', T0 + 3 * DAY), is_bot: 1 }, // a bot's
    refund('O-4', T0 + 9 * DAY), // after the range
    order('O-5', T0 + DAY, 50), // given back in part (20), then whole: 50 in all, not 70
    refund('O-5', T0 + 2 * DAY, { revenue: 20, currency: 'EUR' }),
    refund('O-5', T0 + 3 * DAY),
    order('O-6', T0 - 10 * DAY, 70), // 30 given back before the range, the rest (40) in it
    refund('O-6', T0 - 5 * DAY, { revenue: 30, currency: 'EUR' }),
    refund('O-6', T0 + 2 * DAY),
    order('O-7', T0 + DAY, 100), // partial refunds adding up to more than the order: 100
    refund('O-7', T0 + 2 * DAY, { revenue: 60, currency: 'EUR' }),
    refund('O-7', T0 + 3 * DAY, { revenue: 60, currency: 'EUR' }),
    { ...order('', T0 + DAY, 25), properties: { channel: 'web' } }, // an order without an orderId
    { ...refund('', T0 + 2 * DAY, { revenue: 5, currency: 'EUR' }), properties: { revenue: 5 } }, // 5
    { ...refund('', T0 + 2 * DAY), properties: {} }, // whole, of no order it can name: nothing
  ])
})
afterAll(() => fx?.close())

describe('refunds', () => {
  it("counts the range's refunds once each, no order giving back more than its revenue, and the net revenue", async () => {
    const r = await orders(fx.reader, range)
    expect(r.revenue).toBe(375) // 100 + 40 (USD, unconverted) + 60 + 50 + 100 + 25
    // O-1 30, O-2 80, O-3 10, O-9 0, O-5 50, O-6 40, O-7 100, and 5 of an order without an id
    expect(r.refunds).toEqual({ refunds: 11, orders: 9, amount: 30 + 80 + 10 + 50 + 40 + 100 + 5 })
    expect(r.netRevenue).toBe(375 - 315)
  })

  it('converts each refund as its order is converted', async () => {
    const exchange = { to: 'EUR', rates: { USD: 0.5 } }
    const r = await orders(fx.reader, { ...range, exchange })
    expect(r.revenue).toBe(100 + 20 + 60 + 50 + 100 + 25)
    expect(r.refunds.amount).toBe(30 + 80 + 5 + 50 + 40 + 100 + 5)
    expect(r.netRevenue).toBe(355 - 310)
  })
})
