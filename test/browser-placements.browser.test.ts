/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import { createServer, request, type Server } from 'node:http'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, idOf, launchChromium, named, storedEvents } from './helpers/browser'
import { ROOT } from './helpers/collector'
import { listenLocally } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * The browser SDK where sites put it, beyond one tag on a page: its ESM build bundled into an app by esbuild, as a
 * bundler resolves `@touchpoint/browser`; tp.js put on a page twice; tp.js in a sandboxed iframe; the collector
 * proxied under a path of the site's own. In real headless Chromium, against a running collector, every answer read
 * back from ClickHouse.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'

// an app's entry: React's StrictMode runs an effect twice in development, so the tracker is made twice
const APP = `
import { createTracker } from '@touchpoint/browser'
const options = { key: window.cfg.key, api: window.cfg.api }
const first = createTracker(options)
const second = createTracker(options)
window.tp = first
window.madeOnce = first === second
document.getElementById('plans').addEventListener('click', () => {
  history.pushState({}, '', '/plans')
  first.conversion('Plan Chosen', { revenue: 29, currency: 'EUR' })
})
`

let collector: RunningCollector
let site: Server
let siteUrl: string
let browser: Browser
let until: ReturnType<typeof storedEvents>['until']

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({ adminKey: ADMIN, projects: [{ id: 'web', writeKey: WRITE }] }))
  ;({ until } = storedEvents(collector.url, ADMIN))
  // resolved from a workspace package that depends on @touchpoint/browser: its package.json's exports, as a bundler would
  const bundled = await build({
    stdin: { contents: APP, resolveDir: join(ROOT, 'services/collector'), loader: 'js' },
    bundle: true,
    format: 'esm',
    write: false,
  })
  const app = bundled.outputFiles[0]!.text
  const cfg = `<script>window.cfg = ${JSON.stringify({ key: WRITE, api: collector.url })}</script>`
  const tag = `<script defer src="${collector.url}/tp.js" data-key="${WRITE}"></script>`
  const pages: Record<string, string> = {
    '/app.js': app,
    '/esm': `<title>App</title>${cfg}<button id="plans">Plans</button><script type="module" src="/app.js"></script>`,
    // a tag manager's tp.js beside the site's own
    '/twice': `<title>Twice</title>${tag}${tag}`,
    // a widget in a sandboxed iframe: an opaque origin, whose localStorage and cookies throw when touched
    '/embed': '<title>Embed</title><iframe sandbox="allow-scripts" src="/widget"></iframe>',
    '/widget': `<title>Widget</title>${tag.replace('defer ', 'data-cookie-domain="127.0.0.1" ')}`,
    // the collector under a path of the site's own (first-party, as sites do to get past ad blockers)
    '/proxied': `<title>Proxied</title><script defer src="/tp/tp.js" data-key="${WRITE}"></script>`,
  }
  const upstream = new URL(collector.url)
  site = createServer((req, res) => {
    if (req.url?.startsWith('/tp/')) {
      const path = req.url.slice('/tp'.length)
      const headers = { ...req.headers, host: upstream.host }
      const to = { host: upstream.hostname, port: upstream.port, path, method: req.method, headers }
      req.pipe(request(to, (answer) => answer.pipe(res.writeHead(answer.statusCode!, answer.headers))))
      return
    }
    const body = pages[req.url ?? '']
    const type = req.url?.endsWith('.js') ? 'text/javascript' : 'text/html'
    res.writeHead(body ? 200 : 404, { 'content-type': type }).end(body ?? '')
  })
  siteUrl = await listenLocally(site)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  site?.close()
  await collector?.close()
})

describe('the browser SDK where sites put it', () => {
  it('runs from its ESM build in a bundled app, made twice as StrictMode does, counting each view once', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.goto(`${siteUrl}/esm`)
    const id = await idOf(page)
    expect(await page.evaluate(() => (window as unknown as { madeOnce: boolean }).madeOnce)).toBe(true)
    await page.click('#plans')
    await page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())
    const rows = await until(id, (r) => r.some((e) => e.event === 'Plan Chosen'))
    await new Promise((r) => setTimeout(r, 1500)) // nothing more may arrive
    const all = await until(id, () => true)
    expect(named(all, 'Page Viewed').map((r) => r.path)).toEqual(['/esm', '/plans'])
    expect(named(all, 'Page Left').map((r) => r.path)).toEqual(['/esm'])
    expect(named(rows, 'Plan Chosen')).toEqual([
      expect.objectContaining({ path: '/plans', revenue: 29, currency: 'EUR' }),
    ])
    await context.close()
  })

  it('counts a page with tp.js on it twice once: the second tag gets the tracker already running', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    await page.goto(`${siteUrl}/twice`)
    const id = await idOf(page)
    await until(id, (r) => named(r, 'Page Viewed').length > 0)
    await new Promise((r) => setTimeout(r, 1500)) // a second view would have arrived by now
    expect(named(await until(id, () => true), 'Page Viewed').map((r) => r.path)).toEqual(['/twice'])
    await context.close()
  })

  it('records from a sandboxed iframe, where the cookies of its cookie domain cannot be read', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${siteUrl}/embed`)
    const widget = page.frames().find((f) => f.url().endsWith('/widget'))!
    await widget.waitForFunction(
      () => (window as unknown as { tp?: { anonymousId?(): string } }).tp?.anonymousId,
    )
    const id = await widget.evaluate(() =>
      (window as unknown as { tp: { anonymousId(): string } }).tp.anonymousId(),
    )
    const rows = await until(id, (r) => named(r, 'Page Viewed').length > 0)
    expect(named(rows, 'Page Viewed').map((r) => r.path)).toEqual(['/widget'])
    expect(errors).toEqual([])
    await context.close()
  })

  it('sends next to where tp.js came from, so a collector proxied under a path of the site needs no data-api', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA })
    const page = await context.newPage()
    const sent: string[] = []
    page.on('request', (r) => r.url().includes('/v1/') && sent.push(new URL(r.url()).pathname))
    await page.goto(`${siteUrl}/proxied`)
    const id = await idOf(page)
    const rows = await until(id, (r) => named(r, 'Page Viewed').length > 0)
    expect(named(rows, 'Page Viewed').map((r) => r.path)).toEqual(['/proxied'])
    expect(new Set(sent)).toEqual(new Set(['/tp/v1/batch']))
    await context.close()
  })
})
