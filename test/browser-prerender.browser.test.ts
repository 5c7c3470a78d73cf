import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { CHROMIUM, CHROMIUM_ARGS, ensureTpJs } from './helpers/browser'
import { eventually, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * A page that a site's speculation rules prerender (Chrome loads and runs it before the visitor asks for it, so that
 * it shows at once if they do) is no page view until it is shown, and none at all if it never is. Chromium is run
 * as a plain process here: a DevTools client, as Playwright is, turns prerendering off.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_prerender_0123'

let collector: RunningCollector
let site: Server
let siteUrl = ''
/** what the pages reported, by what they reported it about, with the site's clock */
const reports: Array<{ what: string; prerendering: string; at: number }> = []

/**
 * The site: a launch page whose rules prerender `/landing?run=…` and that goes, 2.5 s later, to `to` (the landing
 * page itself, which shows the prerendered page, or another); the landing page, with tp.js, says whether it was
 * loaded to be prerendered and when it was shown.
 */
function page(url: URL, collectorUrl: string): string {
  // each page's report names its run: both pages' addresses carry it
  const report = `(w) => navigator.sendBeacon('/report?what=' + w + '&prerendering=' + document.prerendering + '&' + location.search.slice(1))`
  if (url.pathname === '/launch') {
    const shown = url.searchParams.get('to') === 'landing'
    // a page never shown routes itself as it loads, as a single-page app's router does
    const landing = `/landing?run=${url.searchParams.get('run')}${shown ? '' : '&route=1'}`
    const to = shown ? landing : '/elsewhere'
    return `<!doctype html><title>launch</title>
      <script type="speculationrules">{"prerender":[{"source":"list","urls":[${JSON.stringify(landing)}]}]}</script>
      <script>setTimeout(() => { (${report})('leaving'); location.href = ${JSON.stringify(to)} }, 2500)</script>`
  }
  const tag = `<script defer src="${collectorUrl}/tp.js" data-key="${WRITE}"></script>`
  // the README's stub, and a call the page makes as it loads (an experiment's exposure), before tp.js has run
  if (url.pathname === '/landing')
    return `<!doctype html><title>landing</title><script>
      const report = ${report}
      report('loaded')
      document.addEventListener('prerenderingchange', () => report('shown'))
      !function(w,t){t=w.tp=w.tp||{q:[]};'page track conversion identify reset consent flush ready'.split(' ').forEach(function(m){t[m]=t[m]||function(){t.q.push([m].concat([].slice.call(arguments)))}})}(window)
      tp.track('Experiment Viewed', { experimentId: 'hero', variationId: 'b' })
      if (location.search.includes('route=1'))
        addEventListener('DOMContentLoaded', () => {
          history.pushState(null, '', '/landing/routed' + location.search)
          report('routed')
        })
      </script>${tag}`
  return `<!doctype html><title>elsewhere</title>${tag}`
}

/** Headless Chromium on `url`, with no DevTools client, until it is stopped (with the processes it started). */
function chromium(url: string): { stop: () => Promise<void> } {
  const profile = mkdtempSync(join(tmpdir(), 'tp-prerender-'))
  const proc = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, url], {
    stdio: 'ignore',
    detached: true,
  })
  const exited = once(proc, 'exit')
  return {
    stop: async () => {
      if (proc.pid) process.kill(-proc.pid, 'SIGKILL')
      await exited
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 })
    },
  }
}

/** What the landing page of a run sent, in the order it was made. */
const eventsOf = (run: string) =>
  sql<{ event: string; url: string; ms: string }>(
    collector.url,
    ADMIN,
    `SELECT event, url, toString(toUnixTimestamp64Milli(timestamp)) AS ms FROM events
     WHERE url LIKE {u:String} ORDER BY timestamp`,
    { u: `%run=${run}%` },
  )
const reported = (what: string) =>
  eventually(
    async () => reports.find((r) => r.what === what),
    (r) => r !== undefined,
    20_000,
  ) as Promise<(typeof reports)[number]>

beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'web', writeKey: WRITE }],
  }))
  site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site')
    if (url.pathname === '/report') {
      const what = `${url.searchParams.get('what')} ${url.searchParams.get('run')}`
      reports.push({ what, prerendering: url.searchParams.get('prerendering') ?? '', at: Date.now() })
      res.writeHead(204).end()
      return
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(url, collector.url))
  })
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => site?.close(resolve))
  await collector?.close()
})

describe('tp.js on a prerendered page, in Chromium', () => {
  it('sends nothing for a page prerendered and never shown: no page view, none of its calls', async () => {
    const run = randomUUID()
    const browser = chromium(`${siteUrl}/launch?run=${run}&to=elsewhere`)
    try {
      // the landing page was loaded to be prerendered, and tp.js ran in it (its page view would go after 1 s)
      expect((await reported(`loaded ${run}`)).prerendering).toBe('true')
      // its router's pushState, after tp.js had run (DOMContentLoaded), went through
      expect((await reported(`routed ${run}`)).prerendering).toBe('true')
      await reported(`leaving ${run}`)
      // the page the visitor went to instead is stored, with its referrer, the launch page: by then the landing
      // page had had 2.5 s to send
      await eventually(
        () =>
          sql(collector.url, ADMIN, `SELECT 1 FROM events WHERE referrer LIKE {u:String}`, {
            u: `%run=${run}%`,
          }),
        (rows) => rows.length === 1,
        20_000,
      )
      expect(await eventsOf(run)).toEqual([])
    } finally {
      await browser.stop()
    }
  })

  it('sends the page view once the prerendered page is shown, with the time it was shown, and its calls', async () => {
    const run = randomUUID()
    const browser = chromium(`${siteUrl}/launch?run=${run}&to=landing`)
    try {
      expect((await reported(`loaded ${run}`)).prerendering).toBe('true')
      const leaving = await reported(`leaving ${run}`)
      await reported(`shown ${run}`)
      const events = await eventually(
        () => eventsOf(run),
        (rows) => rows.length >= 2,
        20_000,
      )
      // the exposure keeps the time the page made it; the view is made when the page is shown, 2.5 s after it was
      // loaded, not when it was loaded
      expect(events.map((v) => v.event)).toEqual(['Experiment Viewed', 'Page Viewed'])
      expect(Number(events[1]?.ms)).toBeGreaterThanOrEqual(leaving.at - 250)
    } finally {
      await browser.stop()
    }
  })
})
