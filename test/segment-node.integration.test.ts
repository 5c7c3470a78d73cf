import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { eventually, sql } from './helpers/http'
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
})
