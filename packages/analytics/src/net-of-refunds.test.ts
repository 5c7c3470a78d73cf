import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attribution } from './attribution/attribution'
import { acquisition } from './reports/acquisition'
import { customers } from './reports/customers'
import { experiment } from './reports/experiments'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from './testing/fixture'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 2, 2)
const FROM = new Date(T0).toISOString()
const TO = new Date(T0 + 10 * DAY).toISOString()

const order = (anon: string, at: number, revenue: number, orderId: string): FixtureEvent => ({
  event: 'Order Completed',
  anon,
  at,
  revenue,
  properties: { orderId },
})
/** a partial refund with its amount, or with none the whole order */
const refund = (anon: string, at: number, orderId: string, revenue?: number): FixtureEvent => ({
  event: 'Order Refunded',
  anon,
  at,
  properties: { orderId },
  ...(revenue === undefined ? {} : { revenue }),
})

/** shown a variant of the checkout test */
const seen = (anon: string, at: number, variant: string): FixtureEvent => ({
  event: 'Experiment Viewed',
  anon,
  at,
  properties: { experimentId: 'checkout', variationId: variant },
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // A: 100 after a Paid Search visit, 30 of it given back after the range
    { event: 'Page Viewed', anon: 'a', session: 'sa', at: T0 + DAY, channel: 'Paid Search' },
    seen('a', T0 + DAY, 'control'),
    order('a', T0 + DAY + 60_000, 100, 'A'),
    refund('a', T0 + 20 * DAY, 'A', 30),
    // B: 50 after an email visit, all of it given back (a refund without revenue)
    { event: 'Page Viewed', anon: 'b', session: 'sb', at: T0 + 2 * DAY, channel: 'Email' },
    seen('b', T0 + 2 * DAY, 'b'),
    order('b', T0 + 2 * DAY + 60_000, 50, 'B'),
    refund('b', T0 + 3 * DAY, 'B'),
    // C: 20, kept; D: 40, refunded 30 twice (no more than the order is taken off); E: 10 with no orderId, and a
    // refund with none either, which takes nothing off it
    order('c', T0 + 3 * DAY, 20, 'C'),
    order('d', T0 + 3 * DAY, 40, 'D'),
    refund('d', T0 + 4 * DAY, 'D', 30),
    refund('d', T0 + 5 * DAY, 'D', 30),
    order('e', T0 + 3 * DAY, 10, ''),
    refund('e', T0 + 4 * DAY, '', 10),
    // a refund of an order before the range, and one of an order nobody placed
    order('f', T0 - 5 * DAY, 70, 'F'),
    refund('f', T0 + DAY, 'F'),
    refund('g', T0 + DAY, 'G', 5),
  ])
})
afterAll(async () => fx?.close())

const run = (netOfRefunds?: boolean) =>
  attribution(fx.reader, {
    project: PROJECT,
    from: FROM,
    to: TO,
    conversion: { event: 'Order Completed' },
    model: 'last_touch',
    ...(netOfRefunds === undefined ? {} : { netOfRefunds }),
  })

const credit = (r: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(r.models[0]!.rows.map((row) => [row.key, [row.conversions, row.revenue]]))

describe('attribution net of refunds', () => {
  it('credits revenue as ordered by default', async () => {
    const r = await run()
    expect(r).toMatchObject({ conversions: 5, revenue: 220, netOfRefunds: false })
    expect(credit(r)).toEqual({ 'Paid Search': [1, 100], Email: [1, 50], Direct: [3, 70] })
  })

  it('credits each order with what it kept after the refunds made since, by orderId', async () => {
    const r = await run(true)
    // A 100 - 30, B wholly refunded, C 20, D 40 - min(40, 60), E 10 (no orderId to refund by)
    expect(r).toMatchObject({ conversions: 5, revenue: 100, netOfRefunds: true })
    expect(credit(r)).toEqual({ 'Paid Search': [1, 70], Email: [1, 0], Direct: [3, 30] })
    expect(r.models[0]!.totals).toEqual({ conversions: 5, revenue: 100 })
  })
})

describe('acquisition, the customers and an experiment net of refunds', () => {
  const range = { project: PROJECT, from: FROM, to: TO }
  const revenue = (rows: Array<{ key?: string; variant?: string; revenue: number }>) =>
    Object.fromEntries(rows.map((r) => [r.key ?? r.variant, r.revenue]))

  it("credits the channel of each person's first visit with what their orders kept", async () => {
    expect(revenue((await acquisition(fx.reader, range)).rows)).toEqual({ 'Paid Search': 100, Email: 50 })
    const net = await acquisition(fx.reader, { ...range, netOfRefunds: true })
    expect(net.netOfRefunds).toBe(true)
    expect(revenue(net.rows)).toEqual({ 'Paid Search': 70, Email: 0 })
    expect(net.total.revenue).toBe(70)
  })

  it("sets each variant's revenue per person beside the control's with what the orders kept", async () => {
    const test = { ...range, experiment: 'checkout', control: 'control' }
    expect(revenue((await experiment(fx.reader, test)).variants)).toEqual({ control: 100, b: 50 })
    const net = await experiment(fx.reader, { ...test, netOfRefunds: true })
    expect(net.netOfRefunds).toBe(true)
    expect(revenue(net.variants)).toEqual({ control: 70, b: 0 })
  })

  it('ranks the customers by what their orders kept, and a lapsed one who sent everything back at 0', async () => {
    const worth = (r: Awaited<ReturnType<typeof customers>>, key: 'revenue' | 'lifetimeRevenue') =>
      r.customers.map((c) => [c.person, c[key]])
    expect(worth(await customers(fx.reader, range), 'revenue')).toEqual([
      ['a', 100],
      ['b', 50],
      ['d', 40],
      ['c', 20],
      ['e', 10],
    ])
    const net = await customers(fx.reader, { ...range, netOfRefunds: true })
    expect(net.netOfRefunds).toBe(true)
    expect(worth(net, 'revenue')).toEqual([
      ['a', 70],
      ['c', 20],
      ['e', 10],
      ['b', 0],
      ['d', 0],
    ])
    const lapsed = await customers(fx.reader, { ...range, who: 'lapsed', netOfRefunds: true })
    expect(worth(lapsed, 'lifetimeRevenue')).toEqual([['f', 0]])
  })
})
