/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, flush, launchChromium, named, storedEvents } from './helpers/browser'
import { basic, eventually, post } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * tp.anonymousId() in real Chromium: the id it gives is the one the page's events carry, so a server that records
 * what happens next with it (a shop's order) joins the visit, and attribution credits the visit's channel.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_aid_0123456'
const SECRET = 'sk_aid_0123456789'

let collector: RunningCollector
let site: RunningSite
let consentSite: RunningSite
let cookielessSite: RunningSite
let browser: Browser

type Tp = {
  anonymousId(): string
  flush(): void
  reset(): void
  consent(yes: boolean): void
  identify(userId: string): void
}
/** tp.anonymousId() once tp.js has replaced the queue stub. */
async function anonymousIdOf(page: Page): Promise<string> {
  await page.waitForFunction(() => !('q' in (window as unknown as { tp: object }).tp))
  return page.evaluate(() => (window as unknown as { tp: Tp }).tp.anonymousId())
}
let until: ReturnType<typeof storedEvents>['until']
/** the visitor's page views, once one is stored */
const viewsOf = (anonymousId: string) => until(anonymousId, (rows) => named(rows, 'Page Viewed').length >= 1)

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'aid', writeKey: WRITE, secretKey: SECRET }],
  }))
  ;({ until } = storedEvents(collector.url, ADMIN))
  const common = { collector: collector.url, writeKey: WRITE }
  site = await serveSite(common)
  consentSite = await serveSite({ ...common, tagAttributes: { consent: 'required' } })
  cookielessSite = await serveSite({ ...common, tagAttributes: { cookieless: '' } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
  await consentSite?.close()
  await cookielessSite?.close()
  await collector?.close()
})

describe('tp.anonymousId()', () => {
  it("is the id the page's events carry, and an order recorded with it by a server is credited to the visit", async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.goto(`${site.url}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring`)
    const id = await anonymousIdOf(page)
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(await page.evaluate(() => localStorage.getItem('tp_aid'))).toBe(id)
    await flush(page)
    await viewsOf(id)

    // the shop's server, told the id by the checkout page, records the order under it
    const order = {
      type: 'track',
      event: 'Order Completed',
      anonymousId: id,
      properties: { orderId: 'AID-1', revenue: 60, currency: 'EUR' },
    }
    const sent = await post(`${collector.url}/v1/batch`, { batch: [order] }, { authorization: basic(SECRET) })
    expect(sent.status).toBe(200)
    const range = {
      project: 'aid',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }
    const credited = await eventually(
      () =>
        post(
          `${collector.url}/api/attribution`,
          { ...range, conversion: { event: 'Order Completed' }, model: 'last_touch' },
          { authorization: `Bearer ${ADMIN}` },
        ),
      (r) => r.body.conversions === 1,
      15_000,
    )
    expect(credited.body.models[0].rows).toMatchObject([{ key: 'Email', conversions: 1, revenue: 60 }])

    // after a log-out, a new visitor: the id changes, the user is forgotten, and the next events carry neither
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.identify('customer-aid'))
    expect(await page.evaluate(() => localStorage.getItem('tp_uid'))).toBe('customer-aid')
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.reset())
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tp_')))).toEqual(
      [],
    )
    await page.goto(`${site.url}/pricing.html`)
    const next = await anonymousIdOf(page)
    expect(next).not.toBe(id)
    await flush(page)
    await viewsOf(next)
    await context.close()
  })

  it('is given to a callback queued with tp.ready before tp.js loaded, as the example checkout fills its form', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.goto(`${site.url}/checkout.html`)
    const id = await anonymousIdOf(page)
    expect(await page.inputValue('[name=anonymous_id]')).toBe(id)
    expect(await page.evaluate(() => localStorage.getItem('tp_aid'))).toBe(id)
    // once loaded, tp.ready calls back just after; a callback that throws stops nothing queued after it
    const now = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const tp = (window as unknown as { tp: { ready(f: (t: Tp) => void): void } }).tp
          tp.ready(() => {
            throw new Error('a page bug')
          })
          tp.ready((t) => resolve(t.anonymousId()))
        }),
    )
    expect(now).toBe(id)
    await context.close()
  })

  it('is kept for the page when the browser refuses to store it (its storage full), and the tag still records', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    await context.addInitScript(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      }
    })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${site.url}/pricing.html`)
    const id = await anonymousIdOf(page)
    await page.click('text=Join free')
    await flush(page)
    const rows = await until(id, (r) => named(r, 'Plan Selected').length === 1)
    expect(rows.map((r) => r.event)).toEqual(['Page Viewed', 'Plan Selected'])
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(1)
    expect(errors).toEqual([])
    await context.close()
  })

  it("is this page load's id when cookieless, and the held events' id before consent", async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.goto(`${cookielessSite.url}/`)
    const id = await anonymousIdOf(page)
    await flush(page)
    await viewsOf(id)
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([])

    const waiting = await context.newPage()
    await waiting.goto(`${consentSite.url}/`)
    const held = await anonymousIdOf(waiting)
    expect(await waiting.evaluate(() => localStorage.getItem('tp_aid'))).toBeNull()
    await waiting.evaluate(() => (window as unknown as { tp: Tp }).tp.consent(true))
    await flush(waiting)
    await viewsOf(held) // the page view held until consent carries the id given before it
    expect(await waiting.evaluate(() => localStorage.getItem('tp_aid'))).toBe(held)
    expect(await waiting.evaluate(() => (window as unknown as { tp: Tp }).tp.anonymousId())).toBe(held)
    await context.close()
  })
})
