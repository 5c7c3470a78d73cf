/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, idOf, launchChromium, named, storedEvents } from './helpers/browser'
import { startTestCollector } from './helpers/in-process'
import { switchProxy } from './helpers/switch-proxy'

/**
 * tp.js's delivery in real headless Chromium, on the example shop, against a running collector reached through a
 * proxy that a test can take down or have answer for it: the outbox, retries, and batches too large for a beacon
 * or a keepalive request. Every answer is read back from ClickHouse, each event once.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'

let collector: RunningCollector
let proxy: Awaited<ReturnType<typeof switchProxy>>
let site: RunningSite
let browser: Browser

let eventsOf: ReturnType<typeof storedEvents>['eventsOf']
let until: ReturnType<typeof storedEvents>['until']

/** The shop's pricing page in a fresh browser context, once its page view is stored. */
async function onPricing(): Promise<{ context: BrowserContext; page: Page; id: string }> {
  const context = await browser.newContext({ userAgent: CHROME_UA })
  const page = await context.newPage()
  await page.goto(`${site.url}/pricing.html`)
  const id = await idOf(page)
  await until(id, (r) => r.length === 1)
  return { context, page, id }
}

/** `count` track calls of `event` in the page, each with its index and `size` characters of padding. */
const trackMany = (page: Page, event: string, count: number, size: number) =>
  page.evaluate(
    ([e, n, padding]) => {
      const tp = (window as unknown as { tp: { track(e: string, p: object): void } }).tp
      for (let i = 0; i < n; i++) tp.track(e, { i, note: 'n'.repeat(padding) })
    },
    [event, count, size] as const,
  )

/** Waits for the page's outbox to hold `count` events. */
const outboxHolds = (page: Page, count: number) =>
  page.waitForFunction((n) => JSON.parse(localStorage.getItem('tp_out') || '[]').length === n, count, {
    timeout: 10_000,
  })

/** Each stored event once, and nothing left in the page's outbox. */
async function deliveredOnce(page: Page, rows: { message_id: string }[]): Promise<void> {
  expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length)
  await page.waitForFunction(() => !localStorage.getItem('tp_out'), null, { timeout: 10_000 })
}

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'web', writeKey: WRITE }],
  }))
  ;({ eventsOf, until } = storedEvents(collector.url, ADMIN))
  proxy = await switchProxy(collector.url)
  site = await serveSite({ collector: collector.url, writeKey: WRITE, tagAttributes: { api: proxy.url } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
  await proxy?.down().catch(() => {})
  await collector?.close()
})

describe("tp.js's delivery in Chromium", () => {
  it('keeps events made while the collector is down and delivers each once when it is back', async () => {
    const { context, page, id } = await onPricing()
    await proxy.down()
    await page.click('text=Join for €49')
    await page.click('text=Join for €399')
    await outboxHolds(page, 2)
    await proxy.up()
    const rows = await until(id, (r) => named(r, 'Plan Selected').length >= 2, 30_000)
    await page.waitForFunction(() => !localStorage.getItem('tp_out'), null, { timeout: 10_000 })
    await new Promise((r) => setTimeout(r, 1000))
    const plans = named(await eventsOf(id), 'Plan Selected').map((r) => JSON.parse(r.props).plan)
    expect(plans.sort()).toEqual(['expedition', 'summit'])
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length)
    await context.close()
  })

  it('sends again a batch answered 408 or 429 (a slow upload, a rate limit), each event once', async () => {
    const { context, page, id } = await onPricing()
    // the answers a page can read when the collector is proxied on its own origin; before, a 408 was taken for
    // a refusal the collector had kept, and the batch was dropped. Three of them: Chromium itself sends a request
    // again once after a 408 on a connection it reused, before the page sees one
    proxy.answer(408, 3)
    await page.click('text=Join for €49')
    await until(id, (r) => named(r, 'Plan Selected').length === 1, 30_000)
    proxy.answer(429, 1)
    await page.click('text=Join for €399')
    const rows = await until(id, (r) => named(r, 'Plan Selected').length === 2, 30_000)
    expect(proxy.unanswered()).toBe(0)
    await deliveredOnce(page, rows)
    await context.close()
  })

  it('delivers an outbox larger than a keepalive request may be, in parts, each event once', async () => {
    const { context, page, id } = await onPricing()
    await proxy.down()
    // a visitor's long offline spell: 150 events, about 120 kB, past the 64 KiB a browser lets a keepalive fetch
    // carry. Sent whole, as before, the outbox was refused by the browser at every try and never delivered
    await trackMany(page, 'Offline Step', 150, 300)
    await outboxHolds(page, 150)
    expect(await page.evaluate(() => localStorage.getItem('tp_out')!.length)).toBeGreaterThan(65_536)
    await proxy.up()
    // the next page load sends the outbox
    await page.goto(`${site.url}/`)
    const rows = await until(id, (r) => named(r, 'Offline Step').length === 150, 30_000)
    const steps = named(rows, 'Offline Step').map((r) => JSON.parse(r.props).i)
    expect(steps.sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i))
    await deliveredOnce(page, rows)
    await context.close()
  })

  // Twenty events, with the collector up, each well inside the 32 KiB an event the collector takes:
  // - of 3.5 kB, a batch past the 64 KiB a browser lets a keepalive fetch carry. It went by keepalive, was refused
  //   by the browser, went to the outbox, and was refused there at every try, twenty at a time, for good;
  // - of 30 kB, a batch past the collector's 512 KiB a body, as it was. It was refused whole (413), which tp.js
  //   does not send again (a refusal the collector keeps), and the events were lost.
  for (const kB of [3.5, 30])
    it(`delivers twenty events of ${kB} kB sent together, with the collector up`, async () => {
      const { context, page, id } = await onPricing()
      const name = `Step of ${kB} kB`
      await trackMany(page, name, 20, kB * 1000)
      const rows = await until(id, (r) => named(r, name).length === 20, 30_000)
      await deliveredOnce(page, rows)
      await context.close()
    })

  for (const [count, kB] of [
    [10, 7],
    [19, 3.5],
  ] as const)
    it(`delivers what a page leaves with when it is too large for a beacon (${count} events of ${kB} kB)`, async () => {
      const { context, page, id } = await onPricing()
      // held for the next send, which is the page's way out: the browser refuses a beacon over 64 KiB. With
      // nineteen, the page's Page Left makes twenty, a whole batch, sent as it is made
      await trackMany(page, 'Large Step', count, kB * 1000)
      await Promise.all([page.waitForURL(/product\.html/), page.click('header >> text=Trail jacket')])
      const rows = await until(id, (r) => named(r, 'Large Step').length === count, 30_000)
      expect(named(rows, 'Page Left').some((r) => r.path === '/pricing.html')).toBe(true)
      await deliveredOnce(page, rows)
      await context.close()
    })

  it('keeps what a page sends on its way out while the collector is down, and the next page delivers it', async () => {
    const { context, page, id } = await onPricing()
    await proxy.down()
    // a send fails: tp.js knows the collector is down
    await page.click('text=Join for €49')
    await outboxHolds(page, 1)
    // the visitor moves on: a beacon would be lost on the way; the page's last events go to the outbox
    await Promise.all([page.waitForURL(/product\.html/), page.click('header >> text=Trail jacket')])
    await proxy.up()
    const rows = await until(
      id,
      (r) =>
        named(r, 'Page Left').some((x) => x.path === '/pricing.html') && named(r, 'Page Viewed').length === 2,
      30_000,
    )
    expect(named(rows, 'Plan Selected')).toHaveLength(1)
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length)
    await context.close()
  })
})
