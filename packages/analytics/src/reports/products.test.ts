import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { products } from './products'

const order = (
  who: { user?: string; anon?: string },
  at: string,
  lines: Array<Record<string, unknown>> | undefined,
  currency = 'EUR',
  extra: Partial<FixtureEvent> = {},
): FixtureEvent => ({
  event: 'Order Completed',
  ...who,
  at,
  revenue: 1,
  currency,
  properties: lines ? { products: lines } : {},
  ...extra,
})
const boot = { productId: 'boot', name: 'Trail Boot', category: 'shoes', price: 100 }
const range = { project: PROJECT, from: '2026-05-01', to: '2026-06-01' }
const RETRY = '00000000-0000-8000-8000-000000000002'
/** no refund here (product-returns.test.ts has them) */
const NONE_BACK = { returned: 0, refunded: 0, returnRate: 0 }

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // two boots and a sock (no quantity: one)
    order({ anon: 'a1' }, '2026-05-02T10:00:00Z', [
      { ...boot, quantity: 2 },
      { productId: 'sock', name: 'Wool Sock', category: 'socks', price: 10 },
    ]),
    // one boot at a lower price, under a new name; the order retried (counts once)
    ...[1, 2].map(() =>
      order({ user: 'u2' }, '2026-05-03T10:00:00Z', [{ ...boot, name: 'Trail Boot v2', price: 90 }], 'EUR', {
        id: RETRY,
      }),
    ),
    // a cap in dollars, with no category and no quantity (nulls, as a database writes them: one)
    order(
      { anon: 'a3' },
      '2026-05-04T10:00:00Z',
      [{ productId: 'cap', price: 20, category: null, quantity: null }],
      'USD',
    ),
    // an order without lines, a bot's, and one after the range: nothing here
    order({ anon: 'a4' }, '2026-05-05T10:00:00Z', undefined),
    order({ anon: 'bot' }, '2026-05-05T10:00:00Z', [{ ...boot }], 'EUR', { is_bot: 1 }),
    order({ anon: 'a1' }, '2026-06-02T10:00:00Z', [{ ...boot }]),
  ])
})
afterAll(() => fx?.close())

describe('products report', () => {
  it('sums the lines of the orders by product, the most revenue first, each order once', async () => {
    const r = await products(fx.reader, range)
    expect(r.rows).toEqual([
      // 2 × 100 and 1 × 90; the name its latest line gave
      {
        key: 'boot',
        name: 'Trail Boot v2',
        category: 'shoes',
        orders: 2,
        customers: 2,
        quantity: 3,
        revenue: 290,
        averagePrice: 290 / 3,
        ...NONE_BACK,
      },
      {
        key: 'cap',
        name: '',
        category: '',
        orders: 1,
        customers: 1,
        quantity: 1,
        revenue: 20,
        averagePrice: 20,
        ...NONE_BACK,
      },
      {
        key: 'sock',
        name: 'Wool Sock',
        category: 'socks',
        orders: 1,
        customers: 1,
        quantity: 1,
        revenue: 10,
        averagePrice: 10,
        ...NONE_BACK,
      },
    ])
    expect(r.total).toEqual({
      orders: 3,
      customers: 3,
      quantity: 5,
      revenue: 320,
      averagePrice: 64,
      ...NONE_BACK,
      keys: 3,
    })
    expect(r.currencies).toEqual(['EUR', 'USD'])
    expect((await products(fx.reader, { ...range, limit: 1 })).rows.map((x) => x.key)).toEqual(['boot'])
  })

  it('sums them by category, and in one currency with an exchange', async () => {
    const byCategory = await products(fx.reader, { ...range, by: 'category' })
    expect(byCategory.rows.map((x) => [x.key, x.orders, x.quantity, x.revenue])).toEqual([
      ['shoes', 2, 3, 290],
      ['(none)', 1, 1, 20],
      ['socks', 1, 1, 10],
    ])
    expect(byCategory.rows[0]).not.toHaveProperty('name')
    const inEuros = await products(fx.reader, { ...range, exchange: { to: 'EUR', rates: { USD: 0.5 } } })
    expect(inEuros.rows.find((x) => x.key === 'cap')?.revenue).toBe(10)
    expect(inEuros.total.revenue).toBe(310)
    expect(inEuros.currencies).toEqual(['EUR'])
  })
})
