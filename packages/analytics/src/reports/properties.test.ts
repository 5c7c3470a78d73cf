import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, openFixture, PROJECT } from '../testing/fixture'
import { eventProperties } from './properties'

const range = { project: PROJECT, from: '2026-04-01', to: '2026-04-08' }
const order = (n: number, properties: Record<string, unknown>, id?: string) => ({
  event: 'Order Completed',
  anon: `a${n}`,
  at: `2026-04-0${n}T12:00:00.000Z`,
  properties,
  ...(id && { id }),
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    order(1, { orderId: 'A-1', revenue: 10, currency: 'EUR' }, '00000000-0000-8000-8000-000000000001'),
    order(1, { orderId: 'A-1', revenue: 10, currency: 'EUR' }, '00000000-0000-8000-8000-000000000001'),
    order(2, { orderId: 'A-2', revenue: '12.50', currency: 'EUR', coupon: null }),
    order(3, { orderId: 'A-3', revenue: 7.5, items: [{ sku: 'x' }] }),
    {
      event: 'Page Viewed',
      anon: 'a1',
      at: '2026-04-01T11:00:00.000Z',
      properties: { orderId: 'not an order' },
    },
    { ...order(4, { orderId: 'bot' }), is_bot: 1 },
  ])
})
afterAll(() => fx?.close())

describe('properties report', () => {
  it("lists each property of an event's events, how many carry it, its types and a few values", async () => {
    const r = await eventProperties(fx.reader, { ...range, event: 'Order Completed' })
    expect(r.event).toBe('Order Completed')
    expect(r.events).toBe(3) // the retry once, the bot's not at all
    expect(r.properties).toEqual([
      { property: 'orderId', events: 3, share: 1, types: ['String'], examples: ['"A-1"', '"A-2"', '"A-3"'] },
      // a revenue sent as text shows as such
      {
        property: 'revenue',
        events: 3,
        share: 1,
        types: ['Double', 'Int64', 'String'],
        examples: ['"12.50"', '10', '7.5'],
      },
      { property: 'currency', events: 2, share: 2 / 3, types: ['String'], examples: ['"EUR"'] },
      { property: 'coupon', events: 1, share: 1 / 3, types: ['Null'], examples: ['null'] },
      { property: 'items', events: 1, share: 1 / 3, types: ['Array'], examples: ['[{"sku":"x"}]'] },
    ])
  })

  it('shows as many values as asked, and names a bad request', async () => {
    const r = await eventProperties(fx.reader, { ...range, event: 'Order Completed', examples: 1 })
    expect(r.properties[0]?.examples).toHaveLength(1)
    await expect(eventProperties(fx.reader, { ...range, event: '' })).rejects.toThrow(/event/)
  })
})
