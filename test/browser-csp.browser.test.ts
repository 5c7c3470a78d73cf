/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM
import { createServer } from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROME_UA, ensureTpJs, idOf, launchChromium, storedEvents } from './helpers/browser'
import { listenLocally } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * A site with a strict Content Security Policy (the README's, "A strict Content Security Policy"): scripts only
 * from the collector and with the page's nonce, connections only to the collector, Trusted Types required. tp.js
 * must run and send under it with no violation, its stub and queued calls included.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_web_0123456'
const NONCE = 'r4nd0m-n0nce'
const STUB = `!function(w,t){t=w.tp=w.tp||{q:[]};'page track conversion identify reset consent flush ready'.split(' ').forEach(function(m){t[m]=t[m]||function(){t.q.push([m].concat([].slice.call(arguments)))}})}(window)`

let collector: RunningCollector
let browser: Browser
let site = ''
let closeSite = () => {}

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({ adminKey: ADMIN, projects: [{ id: 'web', writeKey: WRITE }] }))
  const policy = [
    "default-src 'self'",
    `script-src 'nonce-${NONCE}' ${collector.url}`,
    `connect-src ${collector.url}`,
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ')
  const server = createServer((req, res) => {
    res.setHeader('content-security-policy', policy)
    res.setHeader('content-type', 'text/html; charset=utf-8')
    if (req.url?.startsWith('/next')) return res.end('<!doctype html><title>Next</title><p>next</p>')
    res.end(`<!doctype html><html><head><title>Strict</title>
<script nonce="${NONCE}">${STUB}; tp.track('Queued Early')</script>
<script defer src="${collector.url}/tp.js" data-key="${WRITE}"></script>
</head><body><a id="next" href="/next">next</a></body></html>`)
  })
  site = await listenLocally(server)
  closeSite = () => server.close()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  closeSite()
  await collector?.close()
})

it('runs and sends under a strict Content Security Policy, with no violation', async () => {
  const context = await browser.newContext({ userAgent: CHROME_UA })
  const page = await context.newPage()
  const complaints: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') complaints.push(m.text())
  })
  page.on('pageerror', (e) => complaints.push(e.message))
  await page.goto(`${site}/`)
  const id = await idOf(page)
  await page.evaluate(() => {
    const tp = (window as unknown as { tp: { conversion(e: string, p: object): void } }).tp
    tp.conversion('Order Completed', { revenue: 5, currency: 'EUR', orderId: 'csp-1' })
  })
  // leaving the page sends what is left by beacon, which connect-src governs too
  await page.click('#next')
  await page.waitForURL(/\/next/)
  const rows = await storedEvents(collector.url, ADMIN).until(id, (r) => r.length >= 4)
  expect(rows.map((r) => r.event).sort()).toEqual([
    'Order Completed',
    'Page Left',
    'Page Viewed',
    'Queued Early',
  ])
  expect(complaints).toEqual([])
  await context.close()
})
