import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { products } from './products'

type Line = { productId: string; price: number; quantity?: number | null; category?: string }
const order = (orderId: string, at: string, products: Line[]): FixtureEvent => ({
  event: 'Order Completed',
  anon: `buyer-${orderId}`,
  at,
  revenue: 1,
  currency: 'EUR',
  properties: { orderId, products },
})
/** a refund: of `lines`, or of the whole order without them; `revenue` set for a partial one */
const refund = (
  orderId: string,
  at: string,
  lines?: Line[],
  extra: Partial<FixtureEvent> = {},
): FixtureEvent => {
  const revenue = lines?.reduce((s, l) => s + l.price * (l.quantity ?? 1), 0)
  return {
    event: 'Order Refunded',
    anon: `buyer-${orderId}`,
    at,
    ...(revenue !== undefined && { revenue, currency: 'EUR' }),
    properties: { orderId, ...(lines && { products: lines }) },
    ...extra,
  }
}
const boot = { productId: 'boot', category: 'shoes', price: 100 }
const sock = { productId: 'sock', category: 'socks', price: 10 }
const range = { project: PROJECT, from: '2026-05-01', to: '2026-06-01' }
const RETRY = '00000000-0000-4000-8000-0000000000a1'

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    order('O-1', '2026-05-02T10:00:00Z', [{ ...boot, quantity: 2 }, sock]),
    // one boot of two back (its line names no category: the order's line does; a null quantity is one), retried:
    // counts once
    refund('O-1', '2026-05-10T10:00:00Z', [{ productId: 'boot', price: 100, quantity: null }], { id: RETRY }),
    refund('O-1', '2026-05-10T10:00:00Z', [{ productId: 'boot', price: 100, quantity: null }], { id: RETRY }),
    // the whole order back, without lines: each of its lines at the order's price
    order('O-2', '2026-05-03T10:00:00Z', [
      { ...boot, price: 90 },
      { productId: 'cap', price: 20 },
    ]),
    refund('O-2', '2026-05-12T10:00:00Z'),
    // three socks sold in April, one back in April, the rest (two) back in May
    order('O-3', '2026-04-20T10:00:00Z', [{ ...sock, quantity: 3 }]),
    refund('O-3', '2026-04-25T10:00:00Z', [{ productId: 'sock', price: 10 }]),
    refund('O-3', '2026-05-05T10:00:00Z'),
    // the boot back, then the whole order: still one boot
    order('O-4', '2026-05-04T10:00:00Z', [boot]),
    refund('O-4', '2026-05-06T10:00:00Z', [{ productId: 'boot', price: 100 }]),
    refund('O-4', '2026-05-07T10:00:00Z'),
    // an order Touchpoint never saw: its lines as they are
    refund('O-9', '2026-05-08T10:00:00Z', [{ productId: 'hat', category: 'hats', price: 15 }]),
    // a bot's, and one after the range: nothing
    refund('O-4', '2026-05-08T10:00:00Z', [{ productId: 'boot', price: 100 }], { is_bot: 1 }),
    refund('O-1', '2026-06-02T10:00:00Z'),
  ])
})
afterAll(() => fx?.close())

describe('returns in the products report', () => {
  it('gives what came back of each product, no order giving back more than it held', async () => {
    const r = await products(fx.reader, range)
    const of = (key: string) => r.rows.find((row) => row.key === key)
    // sold in May: four boots, a sock and a cap
    expect(of('boot')).toMatchObject({ quantity: 4, returned: 3, refunded: 290, returnRate: 0.75 })
    expect(of('sock')).toMatchObject({ quantity: 1, returned: 2, refunded: 20, returnRate: 2 })
    expect(of('cap')).toMatchObject({ quantity: 1, returned: 1, refunded: 20, returnRate: 1 })
    expect(of('hat')).toBeUndefined() // not sold in the range: in the total only
    expect(r.total).toMatchObject({ quantity: 6, returned: 7, refunded: 345 })
  })

  it('by category: a returned line under its own category, or its order line’s', async () => {
    const r = await products(fx.reader, { ...range, by: 'category' })
    const of = (key: string) => r.rows.find((row) => row.key === key)
    expect(of('shoes')).toMatchObject({ returned: 3, refunded: 290 })
    expect(of('socks')).toMatchObject({ returned: 2, refunded: 20 })
    expect(of('(none)')).toMatchObject({ returned: 1, refunded: 20 })
    expect(r.total).toMatchObject({ returned: 7, refunded: 345 })
  })
})
