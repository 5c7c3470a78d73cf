import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { ROOT } from './collector'

/** A desktop Chrome user agent: headless Chromium's own says "HeadlessChrome", which the collector flags as a bot. */
export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

/** Builds tp.js when it is missing (a fresh clone before `pnpm build`), so the collector can serve it. */
export function ensureTpJs(): void {
  if (!existsSync(join(ROOT, 'packages/browser/dist/tp.js')))
    execFileSync('pnpm', ['--filter', '@touchpoint/browser', 'build'], { cwd: ROOT, stdio: 'ignore' })
}

/** Debian's Chromium, headless, with the flags this sandboxed machine needs. */
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
    ],
  })
}
