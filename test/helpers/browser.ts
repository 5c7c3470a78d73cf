import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { ROOT } from './collector'

import { CHROME_UA } from './http'

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
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Playwright turns the back/forward cache off by default; the SDK's bfcache restore is under test
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      `--user-agent=${CHROME_UA}`,
    ],
  })
}
