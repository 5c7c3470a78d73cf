/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, launchChromium, storedEvents } from './helpers/browser'
import { startTestCollector } from './helpers/in-process'

/**
 * One visit across a site's hosts, in real headless Chromium: www.shop.test and blog.shop.test share the visitor
 * through a cookie on shop.test (data-cookie-domain), a link from the shop to help.test carries the visitor and
 * the visit across (data-domains), and help.test routes by #hash (data-hash). Chromium resolves every *.test
 * name to this machine; the stored events are read back from ClickHouse.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'

let collector: RunningCollector
let shop: RunningSite
let help: RunningSite
let consentHelp: RunningSite
let browser: Browser
let pageViewsOf: ReturnType<typeof storedEvents>['pageViewsOf']

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({ adminKey: ADMIN, projects: [{ id: 'web', writeKey: WRITE }] }))
  ;({ pageViewsOf } = storedEvents(collector.url, ADMIN))
  const common = { collector: collector.url, writeKey: WRITE }
  shop = await serveSite({ ...common, tagAttributes: { 'cookie-domain': 'shop.test', domains: 'help.test' } })
  help = await serveSite({ ...common, tagAttributes: { domains: 'shop.test', hash: '' } })
  consentHelp = await serveSite({ ...common, tagAttributes: { domains: 'shop.test', consent: 'required' } })
  browser = await launchChromium(['--host-resolver-rules=MAP *.test 127.0.0.1'])
})

afterAll(async () => {
  await browser?.close()
  await shop?.close()
  await help?.close()
  await consentHelp?.close()
  await collector?.close()
})

const on = (site: RunningSite, host: string, path: string) =>
  `http://${host}:${new URL(site.url).port}${path}`

/** Follows a link to `href` as a visitor would: clicking it, the page's own tp.js seeing the click. */
async function follow(page: Page, href: string) {
  await page.evaluate((to) => {
    const a = document.createElement('a')
    a.href = to
    a.id = 'hop'
    a.textContent = 'hop'
    document.body.append(a)
  }, href)
  await Promise.all([page.waitForURL((u) => u.host === new URL(href).host), page.click('#hop')])
  await page.waitForFunction(() => !('q' in (window as unknown as { tp: object }).tp))
}

type Tp = { anonymousId(): string; flush(): void; consent(yes: boolean): void }
const anonymousIdOf = (page: Page) => page.evaluate(() => (window as unknown as { tp: Tp }).tp.anonymousId())

/** A visit to the shop's home page from a search engine; the visitor's anonymous id once tp.js has run. */
async function landFromSearch(page: Page): Promise<string> {
  await page.goto(on(shop, 'www.shop.test', '/'), { referer: 'https://www.google.com/' })
  await page.waitForFunction(() => !('q' in (window as unknown as { tp: object }).tp))
  return anonymousIdOf(page)
}

describe("tp.js across a site's hosts", () => {
  it('keeps one visitor and one visit, with the channel it came from, across subdomains and linked domains', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const id = await landFromSearch(page)
    expect(await page.evaluate(() => localStorage.getItem('tp_aid'))).toBeNull() // in the shared cookie instead

    await follow(page, on(shop, 'blog.shop.test', '/pricing.html'))
    expect(await anonymousIdOf(page)).toBe(id)
    await follow(page, on(help, 'help.test', '/?topic=returns'))
    expect(page.url()).toBe(on(help, 'help.test', '/?topic=returns')) // the hand-over is taken out of the address
    expect(await anonymousIdOf(page)).toBe(id)
    await page.evaluate(() => {
      location.hash = '#/faq'
    })
    await page.waitForFunction(() => location.hash === '#/faq')
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.flush())

    const rows = await pageViewsOf(id, 4)
    expect(rows.map((r) => r.url)).toEqual([
      on(shop, 'www.shop.test', '/'),
      on(shop, 'blog.shop.test', '/pricing.html'),
      on(help, 'help.test', '/?topic=returns'),
      on(help, 'help.test', '/?topic=returns#/faq'),
    ])
    // one visit, from a search engine, on every host: no hop counts as a referral from the site itself
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(1)
    expect(rows.map((r) => r.channel)).toEqual(Array(4).fill('Organic Search'))
    await context.close()
  })

  it('goes on with the visit handed over once a domain that asks for consent has it', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const id = await landFromSearch(page)
    await follow(page, on(consentHelp, 'consent.help.test', '/'))
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.consent(true))
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.flush())
    const rows = await pageViewsOf(id, 2)
    expect(rows.map((r) => r.url)).toEqual([
      on(shop, 'www.shop.test', '/'),
      on(consentHelp, 'consent.help.test', '/'),
    ])
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(1)
    expect(rows.map((r) => r.channel)).toEqual(['Organic Search', 'Organic Search'])
    await context.close()
  })

  it('takes no hand-over made by hand whose visit does not read, and records the visit as its own', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const forged = JSON.stringify([
      'forged-visitor',
      JSON.stringify({ id: 'forged-visit', t: Date.now(), c: '{not' }),
    ])
    await page.goto(`${on(help, 'help.test', '/')}?_tpa=${encodeURIComponent(forged)}`)
    await page.waitForFunction(() => !('q' in (window as unknown as { tp: object }).tp))
    const id = await anonymousIdOf(page)
    expect(id).not.toBe('forged-visitor')
    await page.evaluate(() => (window as unknown as { tp: Tp }).tp.flush())
    const rows = await pageViewsOf(id, 1)
    expect(rows[0]!.session_id).not.toBe('forged-visit')
    expect(errors).toEqual([])
    await context.close()
  })
})
