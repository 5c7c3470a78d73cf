/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import { createEmailTracker } from '@touchpoint/node'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, launchChromium } from './helpers/browser'
import { basic, eventually, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * From the inbox to the purchase in real Chromium: an instrumented email's link is clicked, the collector
 * redirects to the example shop with the hand-off, tp.js links the browser to the recipient and removes the
 * hand-off from the address bar, the visitor buys, and the order is attributed to the email campaign.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'
const SECRET = 'sk_web_0123456789abcdef'
const KEY = { id: 'k1', secret: 'journey-secret-0123456789-0123456789' }

let collector: RunningCollector
let site: RunningSite
let browser: Browser

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [
      { id: 'web', writeKey: WRITE, secretKey: SECRET, email: { keys: [KEY], utmSource: 'newsletter' } },
    ],
  }))
  site = await serveSite({ collector: collector.url, writeKey: WRITE })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
  await collector?.close()
})

describe('email to purchase', () => {
  it('attributes the order to the campaign and links the browser to the recipient', async () => {
    const tracker = createEmailTracker({ baseUrl: collector.url, projectId: 'web', keys: [KEY] })
    const message = {
      campaignId: 'spring-sale',
      messageId: 'spring-sale-c1001',
      recipient: 'c1001',
      sentAt: new Date(Date.now() - 3_600_000),
    }
    const sent = await post(`${collector.url}/v1/track`, tracker.sentEvent(message), {
      authorization: basic(SECRET),
    })
    expect(sent.status).toBe(200)
    const email = tracker.instrumentHtml(
      `<html><body><p>Spring sale!</p><a id="cta" href="${site.url}/product.html">Shop the trail jacket</a></body></html>`,
      message,
    )

    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.setContent(email) // the email as a webmail client shows it
    await Promise.all([page.waitForURL(/product\.html/), page.click('#cta')])
    // tp.js took the hand-off and removed it; the campaign tags stay
    await page.waitForFunction(() => !location.search.includes('_tph'))
    const landed = new URL(page.url())
    expect(Object.fromEntries(landed.searchParams)).toEqual({
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring-sale',
    })
    const anonymousId = (await page.evaluate(() => localStorage.getItem('tp_aid')))!

    await Promise.all([page.waitForURL(/checkout/), page.click('#buy')])
    await page.fill('[name=name]', 'Grace Hopper')
    await page.fill('[name=card]', '4242424242424242')
    await Promise.all([page.waitForURL(/thank-you/), page.click('#pay')])
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())

    const links = await eventually(
      () =>
        sql<{ user_id: string; link_source: string }>(
          collector.url,
          ADMIN,
          `SELECT user_id, link_source FROM identities WHERE anonymous_id = {a:String} ORDER BY linked_at`,
          { a: anonymousId },
        ),
      (r) => r.length === 2,
    )
    // the hand-off on landing, then the new customer account at the thank-you page; the earliest link wins
    expect(links[0]).toEqual({ user_id: 'c1001', link_source: 'email' })
    expect(links[1]!.link_source).toBe('identify')
    await eventually(
      () =>
        sql(
          collector.url,
          ADMIN,
          `SELECT 1 FROM events WHERE event = 'Order Completed' AND anonymous_id = {a:String}`,
          {
            a: anonymousId,
          },
        ),
      (r) => r.length === 1,
    )

    const range = {
      project: 'web',
      from: new Date(Date.now() - 7_200_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }
    const auth = { authorization: `Bearer ${ADMIN}` }
    const attribution = await post(
      `${collector.url}/api/attribution`,
      { ...range, conversion: { event: 'Order Completed' }, model: 'all', by: 'campaign' },
      auth,
    )
    expect(attribution.status).toBe(200)
    expect(attribution.body.conversions).toBe(1)
    for (const m of attribution.body.models)
      expect(m.rows, m.model).toEqual([{ key: 'spring-sale', conversions: 1, revenue: 144, share: 1 }])

    const report = await post(
      `${collector.url}/api/reports/email`,
      { ...range, campaign: 'spring-sale' },
      auth,
    )
    expect(report.body[0] ?? report.body.campaigns?.[0]).toMatchObject({
      sent: 1,
      uniqueClicks: 1,
      scannerClicks: 0,
      conversions: 1,
      revenue: 144,
    })
    const profile = await post(`${collector.url}/api/profile`, { project: 'web', person: 'c1001' }, auth)
    expect(profile.body.anonymousIds).toContain(anonymousId)
    await context.close()
  })
})
