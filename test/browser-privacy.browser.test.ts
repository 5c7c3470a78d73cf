/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, idOf, launchChromium, named, storedEvents } from './helpers/browser'
import { eventually } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * tp.js's privacy in real headless Chromium, on the example shop, against a running collector: consent mode,
 * cookieless mode, and Global Privacy Control with data-respect-dnt. What a page sends is watched on the wire and
 * what was stored is read back from ClickHouse.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'

let collector: RunningCollector
let consentSite: RunningSite
let cookielessSite: RunningSite
let browser: Browser
let until: ReturnType<typeof storedEvents>['until']

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'web', writeKey: WRITE }],
  }))
  ;({ until } = storedEvents(collector.url, ADMIN))
  const common = { collector: collector.url, writeKey: WRITE }
  consentSite = await serveSite({ ...common, tagAttributes: { consent: 'required' } })
  cookielessSite = await serveSite({ ...common, tagAttributes: { cookieless: '', 'respect-dnt': '' } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await consentSite?.close()
  await cookielessSite?.close()
  await collector?.close()
})

describe("tp.js's privacy in Chromium", () => {
  it('sends and stores nothing in consent mode until consent is granted, and clears everything when withdrawn', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const sent: string[] = []
    page.on('request', (r) => r.url().startsWith(`${collector.url}/v1/`) && sent.push(r.url()))
    await page.goto(`${consentSite.url}/pricing.html`)
    await page.click('text=Join free')
    await new Promise((r) => setTimeout(r, 2500))
    expect(sent).toEqual([])
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([])
    expect(await page.evaluate(() => document.cookie)).toBe('')

    await page.evaluate(() => (window as unknown as { tp: { consent(b: boolean): void } }).tp.consent(true))
    const id = await idOf(page)
    const rows = await until(id, (r) => r.length === 2)
    expect(rows.map((r) => r.event).sort()).toEqual(['Page Viewed', 'Plan Selected'])

    // a visitor who signed in: their user id is stored too, and goes with the rest
    await page.evaluate(() =>
      (window as unknown as { tp: { identify(u: string): void } }).tp.identify('withdraws'),
    )
    expect(await page.evaluate(() => localStorage.getItem('tp_uid'))).toBe('withdraws')
    await page.evaluate(() => (window as unknown as { tp: { consent(b: boolean): void } }).tp.consent(false))
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tp_')))).toEqual(
      [],
    )
    const before = sent.length
    await page.click('text=Join for €49')
    await new Promise((r) => setTimeout(r, 2000))
    expect(sent.length).toBe(before)
    await context.close()
  })

  it('goes on with the same visitor and session on the next page, whose events wait for its consent again', async () => {
    type Tp = { consent(b: boolean): void; identify(u: string): void; anonymousId(): string; flush(): void }
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.goto(`${consentSite.url}/`)
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.consent(true))
    const id = await idOf(page)

    // the next page load: the consent manager tells tp.js again once it has loaded; until then, nothing is sent
    // and the stored ids are not read, and the user who signs in meanwhile is the one from then on
    const sent: string[] = []
    page.on('request', (r) => r.url().startsWith(`${collector.url}/v1/`) && sent.push(r.url()))
    await page.goto(`${consentSite.url}/pricing.html`)
    await page.waitForFunction(() => !('q' in (window as unknown as { tp: object }).tp))
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.identify('consenting-visitor'))
    await page.click('text=Join free')
    expect(await page.evaluate(() => (window as unknown as { tp: Tp }).tp.anonymousId())).not.toBe(id)
    await new Promise((r) => setTimeout(r, 1500))
    expect(sent).toEqual([])
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.consent(true))
    expect(await page.evaluate(() => (window as unknown as { tp: Tp }).tp.anonymousId())).toBe(id)

    const rows = await until(
      id,
      (r) => named(r, 'Plan Selected').length === 1 && named(r, 'Page Left').length === 1,
    )
    expect(rows.map((r) => [r.event, r.path])).toEqual([
      ['Page Viewed', '/'],
      ['Page Left', '/'],
      ['Page Viewed', '/pricing.html'],
      ['Identify', '/pricing.html'],
      ['Plan Selected', '/pricing.html'],
    ])
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(1)
    expect(rows.map((r) => r.user_id)).toEqual(['', '', '', 'consenting-visitor', 'consenting-visitor'])
    expect(await page.evaluate(() => localStorage.getItem('tp_uid'))).toBe('consenting-visitor')
    await context.close()
  })

  it('in cookieless mode stores nothing and is a new visitor on each load; with GPC and data-respect-dnt sends nothing', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const ids: string[] = []
    page.on('request', (r) => {
      if (r.url().startsWith(`${collector.url}/v1/`))
        for (const e of JSON.parse(r.postData()!).batch) ids.push(e.anonymousId)
    })
    await page.goto(`${cookielessSite.url}/`)
    await page.waitForFunction(() => document.readyState === 'complete')
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    await page.reload()
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    await eventually(
      async () => ids.length,
      (n) => n >= 2,
    )
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([])
    expect(await page.evaluate(() => document.cookie)).toBe('')
    expect(new Set(ids).size).toBe(2)
    await until(ids[1]!, (r) => named(r, 'Page Viewed').length === 1)

    const gpc = await browser.newContext({ userAgent: CHROME_UA })
    await gpc.addInitScript(() =>
      Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true }),
    )
    const quiet = await gpc.newPage()
    const sent: string[] = []
    quiet.on('request', (r) => r.url().startsWith(`${collector.url}/v1/`) && sent.push(r.url()))
    await quiet.goto(`${cookielessSite.url}/`)
    // tp.js has loaded and replaced the queue stub: its silence is its decision
    await quiet.waitForFunction(() => !('q' in (window as unknown as { tp: object }).tp))
    await quiet.evaluate(() =>
      (window as unknown as { tp: { track(e: string): void; flush(): void } }).tp.track('Anything'),
    )
    await quiet.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    await new Promise((r) => setTimeout(r, 2000))
    expect(sent).toEqual([])
    await gpc.close()
    await context.close()
  })
})
