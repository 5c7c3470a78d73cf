import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { ROOT } from './collector'

import { CHROME_UA, eventually, sql } from './http'

// headless Chromium's own user agent says "HeadlessChrome", which the collector flags as a bot
export { CHROME_UA }

/** Builds tp.js when it is missing (a fresh clone before `pnpm build`), so the collector can serve it. */
export function ensureTpJs(): void {
  if (!existsSync(join(ROOT, 'packages/browser/dist/tp.js')))
    execFileSync('pnpm', ['--filter', '@touchpoint/browser', 'build'], { cwd: ROOT, stdio: 'ignore' })
}

/**
 * Debian's Chromium, headless, with the flags this sandboxed machine needs, and a desktop Chrome's user agent for
 * every request: a context's user agent does not reach a beacon sent as its page goes away (tp.js's Page Left and
 * clicks that navigate), which then said HeadlessChrome and counted as a bot's.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Playwright turns the back/forward cache off by default; the SDK's bfcache restore is under test
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    args: [...CHROMIUM_ARGS, ...extraArgs],
  })
}

/** Debian's Chromium, or CHROMIUM_PATH's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The flags every browser test runs Chromium with, through Playwright or as a process of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  `--user-agent=${CHROME_UA}`,
]

/** A stored event as the browser tests read it back. */
export interface StoredEvent {
  event: string
  path: string
  user_id: string
  anonymous_id: string
  message_id: string
  props: string
  revenue: number | null
  currency: string
  session_id: string
}

/** Reading back what a visitor's browser sent, from a running collector, by their anonymous id. */
export function storedEvents(collectorUrl: string, adminKey: string) {
  const eventsOf = (anonymousId: string) =>
    sql<StoredEvent>(
      collectorUrl,
      adminKey,
      `SELECT event, path, user_id, anonymous_id, message_id, properties AS props, revenue, currency, session_id
       FROM events WHERE anonymous_id = {a:String} ORDER BY timestamp, event`,
      { a: anonymousId },
    )
  /** the visitor's events once `done` accepts them */
  const until = (anonymousId: string, done: (rows: StoredEvent[]) => boolean, timeoutMs = 15_000) =>
    eventually(() => eventsOf(anonymousId), done, timeoutMs)
  /** the visitor's page views in the order they were made (url, path, visit, channel), once `count` are stored */
  const pageViewsOf = (anonymousId: string, count: number) =>
    eventually(
      () =>
        sql<{ url: string; path: string; session_id: string; channel: string }>(
          collectorUrl,
          adminKey,
          `SELECT url, path, session_id, channel FROM events
           WHERE anonymous_id = {a:String} AND event = 'Page Viewed' ORDER BY timestamp`,
          { a: anonymousId },
        ),
      (r) => r.length === count,
    )
  return { eventsOf, until, pageViewsOf }
}

export const named = (rows: StoredEvent[], event: string) => rows.filter((r) => r.event === event)

/** Has the page's tp.js send what it holds now (tp.flush()). */
export const flush = (page: Page) =>
  page.evaluate(() => (window as unknown as { tp: { flush(): void } }).tp.flush())

/** The anonymous id once tp.js has run (it is written on the first event). */
export async function idOf(page: Page): Promise<string> {
  await page.waitForFunction(() => localStorage.getItem('tp_aid'))
  return (await page.evaluate(() => localStorage.getItem('tp_aid')))!
}
