import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { profile } from './profile'

const T0 = Date.UTC(2026, 2, 2)
const HOUR = 3_600_000

const event = (user: string, at: number, name: string, orderId: string, revenue?: number): FixtureEvent => ({
  event: name,
  user,
  at: T0 + at * HOUR,
  properties: orderId ? { orderId } : {},
  ...(revenue === undefined ? {} : { revenue }),
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    event('r1', 1, 'Order Completed', 'A', 100),
    event('r1', 2, 'Order Completed', 'B', 40),
    event('r1', 3, 'Order Completed', '', 20),
    // 30 of A back, all of B (a refund without revenue), and a whole refund of another person's order
    event('r1', 4, 'Order Refunded', 'A', 30),
    event('r1', 5, 'Order Refunded', 'B'),
    event('r1', 6, 'Order Refunded', 'Z'),
    event('r2', 1, 'Order Completed', 'Z', 70),
    // 50 of C back, then the whole of it: C gives back 80, its revenue, not 130
    event('r3', 1, 'Order Completed', 'C', 80),
    event('r3', 2, 'Order Refunded', 'C', 50),
    event('r3', 3, 'Order Refunded', 'C'),
  ])
})
afterAll(async () => fx?.close())

describe('a customer profile with refunds', () => {
  it('says what their refunds gave back, by orderId among their own orders, and the revenue net of it', async () => {
    const p = await profile(fx.reader, { project: PROJECT, person: 'r1' })
    expect(p?.orders).toMatchObject({ count: 3, revenue: 160, refunds: 3, refunded: 70, netRevenue: 90 })
  })

  it('gives back no more of an order than its revenue', async () => {
    const p = await profile(fx.reader, { project: PROJECT, person: 'r3' })
    expect(p?.orders).toMatchObject({ count: 1, revenue: 80, refunds: 2, refunded: 80, netRevenue: 0 })
  })

  it('nets nothing for a person with no refund', async () => {
    const p = await profile(fx.reader, { project: PROJECT, person: 'r2' })
    expect(p?.orders).toMatchObject({ count: 1, revenue: 70, refunds: 0, refunded: 0, netRevenue: 70 })
  })
})
