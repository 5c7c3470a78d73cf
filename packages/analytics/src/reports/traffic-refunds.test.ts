import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { overview } from './overview'
import { traffic } from './traffic'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 2, 2)
const range = {
  project: PROJECT,
  from: new Date(T0).toISOString(),
  to: new Date(T0 + 10 * DAY).toISOString(),
}

/** a visit from `channel` that ends in an order of `revenue` */
const visit = (
  anon: string,
  channel: string,
  at: number,
  revenue: number,
  orderId: string,
): FixtureEvent[] => [
  { event: 'Page Viewed', anon, session: `s-${anon}`, at, channel },
  { event: 'Order Completed', anon, session: `s-${anon}`, at: at + 60_000, revenue, properties: { orderId } },
]

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // 100 from Paid Search, 30 of it given back after the range; 50 from email, all of it given back
    ...visit('a', 'Paid Search', T0 + DAY, 100, 'A'),
    { event: 'Order Refunded', anon: 'a', at: T0 + 20 * DAY, revenue: 30, properties: { orderId: 'A' } },
    ...visit('b', 'Email', T0 + 2 * DAY, 50, 'B'),
    { event: 'Order Refunded', anon: 'b', at: T0 + 3 * DAY, properties: { orderId: 'B' } },
  ])
})
afterAll(async () => fx?.close())

const revenue = (rows: Array<{ key: string; revenue: number }>) =>
  Object.fromEntries(rows.map((r) => [r.key, r.revenue]))

describe('traffic and the overview net of refunds', () => {
  it("gives each channel's sessions the revenue their orders kept", async () => {
    const gross = await traffic(fx.reader, range)
    expect(gross.netOfRefunds).toBe(false)
    expect(revenue(gross.rows)).toEqual({ 'Paid Search': 100, Email: 50 })
    const net = await traffic(fx.reader, { ...range, netOfRefunds: true })
    expect(net.netOfRefunds).toBe(true)
    expect(revenue(net.rows)).toEqual({ 'Paid Search': 70, Email: 0 })
    // a session whose order was given back still converted
    expect(net.total).toMatchObject({ sessions: 2, convertingSessions: 2, conversions: 2, revenue: 70 })
  })

  it("gives the overview's revenue and top channels net of refunds", async () => {
    expect(await overview(fx.reader, range)).toMatchObject({ revenue: 150, netOfRefunds: false })
    const net = await overview(fx.reader, { ...range, netOfRefunds: true })
    expect(net).toMatchObject({ revenue: 70, netOfRefunds: true, conversions: 2 })
    expect(revenue(net.channels)).toEqual({ 'Paid Search': 70, Email: 0 })
  })
})
