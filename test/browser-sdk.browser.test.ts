/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import { createServer, type Server } from 'node:http'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, serveSite } from '../examples/website/server'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, idOf, launchChromium, named, storedEvents } from './helpers/browser'
import { listenLocally, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * tp.js in real headless Chromium, on the example shop, against a running collector; every answer is read back
 * from ClickHouse. Delivery (the outbox, retries, batches too large for a beacon) is in browser-delivery.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'

let collector: RunningCollector
let site: RunningSite
let external: Server
let externalUrl: string
let browser: Browser

let eventsOf: ReturnType<typeof storedEvents>['eventsOf']
let until: ReturnType<typeof storedEvents>['until']

/** A fresh browser context on `url`, arriving from `referer` when given (a link from another site). */
async function open(url: string, referer?: string): Promise<{ context: BrowserContext; page: Page }> {
  // a visitor in Vienna who reads German
  const context = await browser.newContext({
    userAgent: CHROME_UA,
    timezoneId: 'Europe/Vienna',
    locale: 'de-AT',
  })
  const page = await context.newPage()
  await page.goto(url, { referer })
  return { context, page }
}

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'web', writeKey: WRITE }],
  }))
  ;({ eventsOf, until } = storedEvents(collector.url, ADMIN))
  external = createServer((_, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Reviews</h1>'),
  )
  externalUrl = `${await listenLocally(external)}/reviews`
  const common = { collector: collector.url, writeKey: WRITE, outboundUrl: externalUrl }
  site = await serveSite(common)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
  external?.close()
  await collector?.close()
})

describe('tp.js in Chromium', () => {
  it("sends a page view on load, with page, session and library context, and the device's time zone and locale", async () => {
    const { context, page } = await open(`${site.url}/`)
    const id = await idOf(page)
    const rows = await until(id, (r) => named(r, 'Page Viewed').length === 1)
    const pv = named(rows, 'Page Viewed')[0]!
    expect(pv.path).toBe('/')
    expect(pv.session_id).toMatch(/^[0-9a-f]{32}$/)
    const stored = await sql<Record<string, string | number>>(
      collector.url,
      ADMIN,
      `SELECT title, library_name, is_bot, timezone, locale FROM events WHERE message_id = {m:String}`,
      { m: pv.message_id },
    )
    const title = 'Acme Outfitters: gear for the long way round'
    const device = { timezone: 'Europe/Vienna', locale: 'de-AT' }
    expect(stored).toEqual([{ title, library_name: 'tp.js', is_bot: 0, ...device }])
    await context.close()
  })

  it('sends one page view per single-page-app navigation, none for a query-only replaceState', async () => {
    const { context, page } = await open(`${site.url}/app/`)
    const id = await idOf(page)
    await page.click('text=Repairs')
    await page.click('text=Settings')
    await page.click('#sort') // replaceState to the same path
    await page.goBack() // popstate back to /app/repairs (the query-only entry was replaced, not pushed)
    await page.waitForFunction(() => location.pathname === '/app/repairs')
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    const rows = await until(id, (r) => named(r, 'Page Viewed').length >= 4)
    await new Promise((r) => setTimeout(r, 1500)) // nothing more may arrive
    const views = named(await eventsOf(id), 'Page Viewed').map((r) => r.path)
    expect(views).toEqual(['/app/', '/app/repairs', '/app/settings', '/app/repairs'])
    // each page left carries its engagement, and the page it was: the route being left, not the one entered
    const left = named(rows, 'Page Left')
    expect(left.map((r) => r.path).slice(0, 3)).toEqual(['/app/', '/app/repairs', '/app/settings'])
    for (const l of left)
      expect(JSON.parse(l.props)).toEqual({ engagedMs: expect.any(Number), scrollDepth: expect.any(Number) })
    await context.close()
  })

  it("never breaks the app's navigation, even with a call whose properties cannot be sent", async () => {
    const { context, page } = await open(`${site.url}/app/`)
    const id = await idOf(page)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // a window in the properties (as a UI event passed whole would bring): JSON cannot write its cycles
    await page.evaluate(() =>
      (window as unknown as { tp: { track(e: string, p: object): void } }).tp.track('Clicked', {
        view: window,
      }),
    )
    // within the second before it is sent: leaving the route sends it, from inside the app's pushState
    await page.click('text=Repairs')
    await page.waitForFunction(() => document.getElementById('view')?.textContent === 'Repairs')
    // the app's click handler went on to render the route; the route's view is stored
    await until(id, (r) => named(r, 'Page Viewed').some((v) => v.path === '/app/repairs'))
    expect(errors.filter((e) => /Repairs|pushState/.test(e))).toEqual([])
    await context.close()
  })

  it('gives every page of a visit from a search engine its channel, not only the landing page', async () => {
    const { context, page } = await open(`${site.url}/pricing.html`, 'https://www.google.com/')
    const id = await idOf(page)
    await Promise.all([page.waitForURL(/product/), page.click('header >> text=Trail jacket')])
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    await until(id, (r) => named(r, 'Page Viewed').length === 2)
    const views = await sql<{ path: string; channel: string; referrer_host: string }>(
      collector.url,
      ADMIN,
      `SELECT path, channel, referrer_host FROM events
       WHERE anonymous_id = {a:String} AND event = 'Page Viewed' ORDER BY timestamp`,
      { a: id },
    )
    // the second page's referrer is the first (kept as it is), and its channel is still the visit's
    expect(views).toEqual([
      { path: '/pricing.html', channel: 'Organic Search', referrer_host: 'google.com' },
      { path: '/product.html', channel: 'Organic Search', referrer_host: '' },
    ])
    await context.close()
  })

  it("gives a single-page app's later views the route before as referrer, as a server-rendered site's links do", async () => {
    const { context, page } = await open(`${site.url}/app/`, 'https://www.google.com/')
    const id = await idOf(page)
    await page.click('text=Repairs')
    await page.click('text=Settings')
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    await until(id, (r) => named(r, 'Page Viewed').length === 3)
    const views = await sql<{ path: string; referrer: string; referrer_host: string; channel: string }>(
      collector.url,
      ADMIN,
      `SELECT path, referrer, referrer_host, channel FROM events
       WHERE anonymous_id = {a:String} AND event = 'Page Viewed' ORDER BY timestamp`,
      { a: id },
    )
    // only the landing view names the search engine; the visit's channel stays on every view
    expect(views).toEqual([
      {
        path: '/app/',
        referrer: 'https://www.google.com/',
        referrer_host: 'google.com',
        channel: 'Organic Search',
      },
      { path: '/app/repairs', referrer: `${site.url}/app/`, referrer_host: '', channel: 'Organic Search' },
      {
        path: '/app/settings',
        referrer: `${site.url}/app/repairs`,
        referrer_host: '',
        channel: 'Organic Search',
      },
    ])
    await context.close()
  })

  it('records an outbound click although the page navigated away at once', async () => {
    const { context, page } = await open(`${site.url}/product.html`)
    const id = await idOf(page)
    await Promise.all([page.waitForURL(externalUrl), page.click('#reviews')])
    expect(await page.textContent('h1')).toBe('Reviews')
    const rows = await until(id, (r) => named(r, 'Outbound Link Clicked').length === 1)
    expect(JSON.parse(named(rows, 'Outbound Link Clicked')[0]!.props)).toEqual({ url: externalUrl })
    // the beacon went as the page was going away, with the browser's user agent like the rest: no bot's event
    const bots = await sql<{ event: string; is_bot: number }>(
      collector.url,
      ADMIN,
      `SELECT event, is_bot FROM events WHERE anonymous_id = {a:String} ORDER BY timestamp, event`,
      { a: id },
    )
    expect(bots.filter((r) => r.is_bot !== 0)).toEqual([])
    await context.close()
  })

  it('replays calls made before tp.js loaded, records the conversion with revenue, and keeps the identified user', async () => {
    const { context, page } = await open(`${site.url}/product.html`)
    const id = await idOf(page)
    await Promise.all([page.waitForURL(/checkout/), page.click('#buy')])
    await page.fill('[name=name]', 'Ada Lovelace')
    await page.fill('[name=card]', '4242424242424242')
    const words = await page.textContent('#pay')
    await Promise.all([page.waitForURL(/thank-you/), page.click('#pay')])
    const order = new URL(page.url()).searchParams.get('order')!
    await page.goto(`${site.url}/`) // a later page: it must carry the user id
    const rows = await until(
      id,
      (r) => named(r, 'Page Viewed').length === 4 && named(r, 'Order Completed').length === 1,
    )
    const conversion = named(rows, 'Order Completed')[0]!
    expect(conversion).toMatchObject({ revenue: 144, currency: 'EUR' })
    expect(JSON.parse(conversion.props)).toMatchObject({ orderId: order, conversion: true, channel: 'web' })
    expect(named(rows, 'Checkout Started')).toHaveLength(1) // called in <head>, before tp.js
    expect(JSON.parse(named(rows, 'Product Added')[0]!.props)).toEqual({ sku: 'TJ-01', price: '144' })
    expect(named(rows, 'Identify')[0]!.user_id).toBe(`customer-${order}`)
    expect(named(rows, 'Page Viewed').at(-1)).toMatchObject({ path: '/', user_id: `customer-${order}` })
    // a page's view and the calls its scripts made as it loaded are stored in the order they were made, each a
    // millisecond or more after the one before (rows come ordered by time, then by name)
    const onPage = (path: string) =>
      rows.filter((r) => r.path === path && r.event !== 'Page Left').map((r) => r.event)
    expect(onPage('/checkout.html')).toEqual(['Page Viewed', 'Checkout Started', 'Experiment Viewed'])
    // the shop's A/B test of its pay button: the variant this browser was given, and the words it showed
    const shown = JSON.parse(named(rows, 'Experiment Viewed')[0]!.props)
    expect(shown).toMatchObject({ experimentId: 'pay-button' })
    expect(words).toBe(shown.variationId === 'control' ? 'Pay €144' : 'Complete order · €144')
    expect(onPage('/thank-you.html')).toEqual(['Page Viewed', 'Order Completed', 'Identify'])
    // the checkout form is marked data-tp-ignore, and no field value ever leaves the page
    expect(named(rows, 'Lead Captured')).toEqual([])
    // the whole card number and the name, in any column (url and referrer too): random hex ids hold short digit
    // runs such as '4242' by chance
    const stored = JSON.stringify(
      await sql(collector.url, ADMIN, 'SELECT * FROM events WHERE anonymous_id = {a:String}', { a: id }),
    )
    expect(stored).toContain('/thank-you.html?order=') // the columns the check reads hold the pages' URLs
    expect(stored).not.toContain('4242424242424242')
    expect(stored).not.toContain('Lovelace')
    await context.close()
  })

  it('records a form submission as a lead (form name and id, never the fields) and a file download', async () => {
    const { context, page } = await open(`${site.url}/pricing.html`)
    const id = await idOf(page)
    await page.fill('[name=email]', 'ada@example.com')
    await Promise.all([page.waitForURL(/thank-you/), page.click('text=Subscribe')])
    await page.goto(`${site.url}/`)
    await page.click('text=care guide (PDF)')
    const rows = await until(
      id,
      (r) => named(r, 'Lead Captured').length === 1 && named(r, 'File Downloaded').length === 1,
    )
    expect(JSON.parse(named(rows, 'Lead Captured')[0]!.props)).toEqual({
      formId: 'newsletter',
      formName: 'newsletter',
    })
    expect(JSON.parse(named(rows, 'File Downloaded')[0]!.props)).toEqual({
      url: `${site.url}/files/care-guide.pdf`,
    })
    expect(JSON.stringify(await eventsOf(id))).not.toContain('ada@')
    await context.close()
  })

  it("names a lead's form by its attributes when the form has fields named id and name", async () => {
    const { context, page } = await open(`${site.url}/pricing.html`)
    const id = await idOf(page)
    // a form's fields shadow its own properties by name: `form.id` is the field named "id" here, and the lead's
    // formId was stored as {}, the field serialised
    await page.evaluate(() => {
      const form = document.createElement('form')
      form.id = 'contact'
      form.setAttribute('name', 'contact')
      form.action = '/thank-you.html'
      form.innerHTML = '<input name="id" value="42"><input name="name" value="Ada"><button>Send</button>'
      document.body.append(form)
    })
    await Promise.all([page.waitForURL(/thank-you/), page.click('text=Send')])
    const rows = await until(id, (r) => named(r, 'Lead Captured').length === 1)
    expect(JSON.parse(named(rows, 'Lead Captured')[0]!.props)).toEqual({
      formId: 'contact',
      formName: 'contact',
    })
    expect(JSON.stringify(await eventsOf(id))).not.toContain('Ada')
    await context.close()
  })

  it('sends a page view again when the back/forward cache restores a page', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.addInitScript(() =>
      addEventListener('pageshow', (e) => {
        if (e.persisted) (window as unknown as { restored: boolean }).restored = true
      }),
    )
    await page.goto(`${site.url}/`)
    const id = await idOf(page)
    await until(id, (r) => named(r, 'Page Viewed').length === 1)
    await Promise.all([page.waitForURL(/pricing/), page.click('header >> text=Membership')])
    await until(id, (r) => named(r, 'Page Viewed').length === 2)
    // a page restored from the cache fires pageshow, not load
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForFunction(() => document.readyState === 'complete' && location.pathname === '/')
    const restored = await page.evaluate(() => ({
      restored: (window as unknown as { restored?: boolean }).restored,
      why: JSON.stringify(
        (performance.getEntriesByType('navigation')[0] as unknown as { notRestoredReasons?: unknown })
          ?.notRestoredReasons,
      ),
    }))
    expect(restored, restored.why).toMatchObject({ restored: true })
    const rows = await until(id, (r) => named(r, 'Page Viewed').length === 3)
    expect(named(rows, 'Page Viewed').map((r) => r.path)).toEqual(['/', '/pricing.html', '/'])
    await context.close()
  })
})
