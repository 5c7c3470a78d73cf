import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { attribution } from './attribution'

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

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // A: 100 after a Paid Search visit, 30 of it given back after the range
    { event: 'Page Viewed', anon: 'a', session: 'sa', at: T0 + DAY, channel: 'Paid Search' },
    order('a', T0 + DAY + 60_000, 100, 'A'),
    refund('a', T0 + 20 * DAY, 'A', 30),
    // B: 50 after an email visit, all of it given back (a refund without revenue)
    { event: 'Page Viewed', anon: 'b', session: 'sb', at: T0 + 2 * DAY, channel: 'Email' },
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
