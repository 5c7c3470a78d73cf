/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import { createServer, type Server } from 'node:http'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { launchChromium } from './helpers/browser'
import { ROOT } from './helpers/collector'
import { CHROME_UA, eventually, listenLocally, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * Segment's own browser library (analytics.js 2.0, `@segment/analytics-next`) pointed at the collector, unchanged
 * but for its API host, in real Chromium: it posts each call to the type's first letter (/v1/t, /v1/p, …) with the
 * write key in a text/plain body, or batches to /v1/b. Every answer is read back from ClickHouse.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_segment_0123456'

let collector: RunningCollector
let site: Server
let siteUrl: string
let browser: Browser

interface Row {
  type: string
  event: string
  user_id: string
  path: string
  revenue: number | null
  currency: string
  library_name: string
  is_bot: number
}
const eventsOf = (anonymousId: string) =>
  sql<Row>(
    collector.url,
    ADMIN,
    `SELECT type, event, user_id, path, revenue, currency, library_name, is_bot FROM events
     WHERE anonymous_id = {a:String} ORDER BY timestamp, event`,
    { a: anonymousId },
  )

/** The library bundled for the page, as a site's build would: `startSegment` loads it with the given settings. */
async function bundle(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `import { AnalyticsBrowser } from '@segment/analytics-next'
        window.startSegment = (writeKey, segmentio) =>
          AnalyticsBrowser.load({ writeKey, cdnSettings: { integrations: { 'Segment.io': { apiKey: writeKey, ...segmentio } } } })`,
      resolveDir: ROOT,
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  })
  return out.outputFiles[0]!.text
}

beforeAll(async () => {
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'web', writeKey: WRITE }],
  }))
  const script = await bundle()
  site = createServer((req, res) => {
    if (req.url === '/segment.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    else
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<title>Pricing</title><script src="/segment.js"></script><h1>Pricing</h1>')
  })
  siteUrl = await listenLocally(site)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  site?.close()
  await collector?.close()
})

/** Loads the library on the page with `segmentio` settings, sends a page, a purchase and an identify. */
async function sendWithSegment(segmentio: Record<string, unknown>): Promise<string> {
  const context = await browser.newContext({ userAgent: CHROME_UA })
  const page = await context.newPage()
  // from a newsletter: the visit's channel, which attribution must credit its order to
  await page.goto(`${siteUrl}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=dec`)
  const anonymousId = await page.evaluate(
    async ({ key, segmentio }) => {
      type Analytics = {
        page(): Promise<unknown>
        track(event: string, props: object): Promise<unknown>
        identify(id: string, traits: object): Promise<unknown>
        user(): { anonymousId(): string }
      }
      const start = (window as unknown as { startSegment: (k: string, s: object) => Promise<[Analytics]> })
        .startSegment
      const [analytics] = await start(key, segmentio)
      await analytics.page()
      await analytics.track('Order Completed', { orderId: 'S-1', revenue: 42.5, currency: 'EUR' })
      await analytics.identify('segment-user-1', { plan: 'pro' })
      return analytics.user().anonymousId()
    },
    { key: WRITE, segmentio },
  )
  // the batching dispatcher sends when its batch is full or its timeout passes, and on page hide
  await page.waitForTimeout(500)
  await context.close()
  return anonymousId
}

describe("Segment's browser library (analytics-next), pointed at the collector", () => {
  const host = () => `${new URL(collector.url).host}/v1`

  it.each([
    ['one call a request (/v1/p, /v1/t, /v1/i)', {}],
    ['batched (/v1/b)', { deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 200 } } }],
  ])('stores its page, track and identify calls, %s', async (_, delivery) => {
    const anonymousId = await sendWithSegment({ apiHost: host(), protocol: 'http', ...delivery })
    expect(anonymousId).toMatch(/\S/)
    const rows = await eventually(
      () => eventsOf(anonymousId),
      (r) => r.length === 3,
      15_000,
    )
    expect(rows.map((r) => [r.type, r.event])).toEqual(
      expect.arrayContaining([
        ['page', 'Page Viewed'],
        ['track', 'Order Completed'],
        ['identify', 'Identify'],
      ]),
    )
    const order = rows.find((r) => r.event === 'Order Completed')!
    expect(order).toMatchObject({ revenue: 42.5, currency: 'EUR', path: '/pricing', is_bot: 0 })
    expect(order.library_name).toBe('analytics.js')
    expect(rows.find((r) => r.type === 'identify')?.user_id).toBe('segment-user-1')
  })

  it('has its visits count as touches: the orders go to the channel they came by, not Direct', async () => {
    // Segment's libraries send no session id; each device's day is a session of its own (enrich/event-row.ts)
    const day = new Date().toISOString().slice(0, 10)
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const { status, body } = await post(
      `${collector.url}/api/attribution`,
      {
        project: 'web',
        from: day,
        to: next,
        conversion: { event: 'Order Completed' },
        model: 'last_touch',
        by: 'channel',
      },
      { authorization: `Bearer ${ADMIN}` },
    )
    expect(status).toBe(200)
    // the two orders the tests above sent, one each way
    expect(body.models[0].rows).toEqual([expect.objectContaining({ key: 'Email', conversions: 2 })])
  })
})
