/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, flush, idOf, launchChromium, named, storedEvents } from './helpers/browser'
import { startTestCollector } from './helpers/in-process'

/**
 * tp.js's visits in real headless Chromium, on the example shop, against a running collector: a visit ends after
 * 30 idle minutes or when the visitor comes back by another campaign, and a page's Page Left carries the time it
 * was seen. The minutes pass on the page's clock (Playwright's, installed in the context, which keeps its time
 * across navigations); the collector corrects each call's time by its sentAt, so the stored times stay in order.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_sessions_0123'
const MINUTE = 60_000

let collector: RunningCollector
let site: RunningSite
let browser: Browser
let until: ReturnType<typeof storedEvents>['until']
let pageViewsOf: ReturnType<typeof storedEvents>['pageViewsOf']

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'visits', writeKey: WRITE }],
  }))
  ;({ until, pageViewsOf } = storedEvents(collector.url, ADMIN))
  site = await serveSite({ collector: collector.url, writeKey: WRITE })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
  await collector?.close()
})

/** A fresh visitor whose page clock the test moves on. */
async function visitor(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ userAgent: CHROME_UA })
  await context.clock.install()
  return { context, page: await context.newPage() }
}

/** Follows a link of the page, as a visitor's click does. */
async function follow(page: Page, text: string, to: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(to), page.click(`header >> text=${text}`)])
}

/**
 * Idle minutes on the page's clock. What the page holds goes first: a call sent after the jump would carry a sentAt
 * the minutes ahead of its time, and the collector would date it that much before the rest (its clock-skew
 * correction), where a real device's clock moves on with the collector's.
 */
async function idle(page: Page, minutes: number): Promise<void> {
  await flush(page)
  await page.clock.fastForward(minutes * MINUTE)
}

describe("tp.js's visits in Chromium", () => {
  it('starts a new visit after 30 idle minutes, and when the visitor comes back by another campaign', async () => {
    const { context, page } = await visitor()
    await page.goto(`${site.url}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring`)
    const id = await idOf(page)
    await follow(page, 'Membership', /pricing/)
    await idle(page, 29)
    await follow(page, 'Trail jacket', /product/) // 29 idle minutes: the same visit
    await idle(page, 31)
    await follow(page, 'Acme Outfitters', /\/$/) // 31: a new visit, which came from nowhere
    // back by another campaign within the half hour: a new visit; the same link again: still that visit
    await page.goto(`${site.url}/pricing.html?utm_source=partner&utm_medium=affiliate&utm_campaign=club`)
    await idle(page, 5)
    await page.goto(`${site.url}/pricing.html?utm_source=partner&utm_medium=affiliate&utm_campaign=club`)
    await flush(page)
    const views = await pageViewsOf(id, 6)
    expect(views.map((v) => [v.path, v.channel])).toEqual([
      ['/', 'Email'],
      ['/pricing.html', 'Email'],
      ['/product.html', 'Email'],
      ['/', 'Direct'],
      ['/pricing.html', 'Affiliates'],
      ['/pricing.html', 'Affiliates'],
    ])
    const visit = views.map((v) => v.session_id)
    expect(new Set(visit).size).toBe(3)
    expect(visit).toEqual([visit[0], visit[0], visit[0], visit[3], visit[4], visit[4]])
    await context.close()
  })

  it("starts a new visit at a single-page app's navigation after 30 idle minutes, and counts the page's visible time", async () => {
    const { context, page } = await visitor()
    await page.goto(`${site.url}/app/`)
    const id = await idOf(page)
    await idle(page, 10)
    await page.click('text=Repairs')
    await idle(page, 31)
    await page.click('text=Settings')
    await flush(page)
    const rows = await until(
      id,
      (r) => named(r, 'Page Viewed').length === 3 && named(r, 'Page Left').length === 2,
    )

    const views = await pageViewsOf(id, 3)
    expect(views.map((v) => v.path)).toEqual(['/app/', '/app/repairs', '/app/settings'])
    expect(views[1]!.session_id).toBe(views[0]!.session_id)
    expect(views[2]!.session_id).not.toBe(views[0]!.session_id)
    // each route's Page Left, in the visit it was seen in (the second's too, made after the idle half hour), with
    // the minutes it was on screen
    const left = named(rows, 'Page Left').map((r) => ({
      ...JSON.parse(r.props),
      path: r.path,
      visit: r.session_id,
    }))
    expect(left).toEqual([
      { path: '/app/', visit: views[0]!.session_id, engagedMs: expect.any(Number), scrollDepth: 100 },
      { path: '/app/repairs', visit: views[0]!.session_id, engagedMs: expect.any(Number), scrollDepth: 100 },
    ])
    expect(left[0]!.engagedMs).toBeGreaterThanOrEqual(10 * MINUTE)
    expect(left[0]!.engagedMs).toBeLessThan(11 * MINUTE)
    expect(left[1]!.engagedMs).toBeGreaterThanOrEqual(31 * MINUTE)
    expect(left[1]!.engagedMs).toBeLessThan(32 * MINUTE)
    await context.close()
  })

  it('makes no visit of a page left open and idle: its Page Left, however late, is of the visit it was viewed in', async () => {
    const { context, page } = await visitor()
    await page.goto(`${site.url}/pricing.html`)
    const id = await idOf(page)
    await idle(page, 45)
    await page.goto('about:blank') // the visitor leaves at last: the Page Left goes by beacon
    const rows = await until(id, (r) => named(r, 'Page Left').length === 1)
    expect(rows.map((r) => [r.event, r.path])).toEqual([
      ['Page Viewed', '/pricing.html'],
      ['Page Left', '/pricing.html'],
    ])
    expect(rows[1]!.session_id).toBe(rows[0]!.session_id)
    expect(JSON.parse(rows[1]!.props).engagedMs).toBeGreaterThanOrEqual(45 * MINUTE)
    await context.close()
  })
})
