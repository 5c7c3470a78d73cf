import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { eventually, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * Segment's server library (`@segment/analytics-node`) pointed at the collector, unchanged but for its host, with
 * the project's secret key as its write key (the way a server authenticates here): it batches to /v1/batch with
 * the key as HTTP Basic user. Every answer is read back from ClickHouse.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const SECRET = 'sk_server_0123456789abcdef'

let collector: RunningCollector

beforeAll(async () => {
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'shop', writeKey: 'wk_shop_0123456', secretKey: SECRET }],
  }))
})
afterAll(async () => collector?.close())

describe("Segment's server library (analytics-node), pointed at the collector", () => {
  it("stores its calls as server events, back-dated as sent, with a page's name", async () => {
    const analytics = new Analytics({ writeKey: SECRET, host: collector.url, flushAt: 2, maxRetries: 3 })
    const failures: unknown[] = []
    analytics.on('error', (err) => failures.push(err))
    const placedAt = new Date(Date.now() - 2 * 86_400_000)
    analytics.identify({ userId: 'srv-1', traits: { plan: 'pro' } })
    analytics.track({
      userId: 'srv-1',
      event: 'Order Completed',
      timestamp: placedAt,
      properties: { orderId: 'P-1', revenue: 99.5, currency: 'eur' },
    })
    analytics.page({ anonymousId: 'device-1', name: 'Pricing', properties: { path: '/pricing' } })
    await analytics.closeAndFlush()
    expect(failures).toEqual([])

    const rows = await eventually(
      () =>
        sql<{
          type: string
          event: string
          source: string
          revenue: number | null
          currency: string
          t: string
        }>(
          collector.url,
          ADMIN,
          `SELECT type, event, source, revenue, currency, toString(timestamp) AS t, library_name,
             JSONExtractString(properties, 'name') AS page_name FROM events
           WHERE user_id = 'srv-1' OR anonymous_id = 'device-1' ORDER BY type`,
        ),
      (r) => r.length === 3,
    )
    expect(rows.map((r) => [r.type, r.event, r.source])).toEqual([
      ['identify', 'Identify', 'server'],
      ['page', 'Page Viewed', 'server'],
      ['track', 'Order Completed', 'server'],
    ])
    const order = rows.find((r) => r.type === 'track')!
    expect(order).toMatchObject({ revenue: 99.5, currency: 'EUR', library_name: '@segment/analytics-node' })
    // the page's name, which the library sends beside its properties, is kept in them
    expect(rows.find((r) => r.type === 'page')).toMatchObject({ page_name: 'Pricing' })
    // a secret-key call keeps its own time, to the millisecond
    expect(order.t).toBe(placedAt.toISOString().replace('T', ' ').slice(0, 23))
  })

  it("counts an order and its refund sent with the e-commerce spec's names (order_id, product_id, total)", async () => {
    const analytics = new Analytics({ writeKey: SECRET, host: collector.url, flushAt: 2, maxRetries: 3 })
    const failures: unknown[] = []
    analytics.on('error', (err) => failures.push(err))
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000)
    analytics.track({
      userId: 'spec-1',
      event: 'Order Completed',
      timestamp: hoursAgo(3),
      properties: {
        order_id: '50314b8e',
        total: 27.5,
        currency: 'USD',
        products: [
          { product_id: '507f1f77', sku: 'G-32', name: 'Monopoly', price: 18.5, quantity: 1 },
          { product_id: '505bd76e', sku: 'F-32', name: 'Uno', price: 4.5, quantity: 2 },
        ],
      },
    })
    // the game came back: the spec's refund names its order and its lines the same way
    analytics.track({
      userId: 'spec-1',
      event: 'Order Refunded',
      timestamp: hoursAgo(1),
      properties: {
        order_id: '50314b8e',
        total: 18.5,
        currency: 'USD',
        products: [{ product_id: '507f1f77', price: 18.5, quantity: 1 }],
      },
    })
    await analytics.closeAndFlush()
    expect(failures).toEqual([])
    const range = {
      project: 'shop',
      from: hoursAgo(24).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }
    const api = (path: string) =>
      post(`${collector.url}/api/${path}`, range, { authorization: `Bearer ${ADMIN}` })
    const orders = await eventually(
      () => api('reports/orders'),
      // the library may send the two in requests of their own, loaded apart: wait for both
      (r) => r.body.orders === 1 && r.body.refunds?.refunds === 1,
    )
    expect(orders.body).toMatchObject({
      revenue: 27.5,
      refunds: { refunds: 1, orders: 1, amount: 18.5 },
      netRevenue: 9,
    })
    const sold = await api('reports/products')
    expect(sold.body.rows).toMatchObject([
      { key: '507f1f77', name: 'Monopoly', quantity: 1, returned: 1, returnRate: 1 },
      { key: '505bd76e', name: 'Uno', quantity: 2, returned: 0 },
    ])
  })
})
