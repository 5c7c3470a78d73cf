import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { keysIn, ROOT } from './helpers/collector'
import { eventually, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/** `touchpoint email instrument` and examples/email/instrument.ts as a user runs them, against a real collector. */
const TEMPLATE = readFileSync(join(ROOT, 'examples/email/welcome.html'), 'utf8')
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

function run(script: string, args: string[], env: Record<string, string>, input: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
    child.stdin.end(input)
  })
}

let collector: RunningCollector
let dir: string
let env: Record<string, string>
const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))

beforeAll(async () => {
  ;({ collector, dir } = await startTestCollector())
  env = { TOUCHPOINT_DATA_DIR: dir, TOUCHPOINT_URL: collector.url }
})
afterAll(() => collector?.close())

describe('touchpoint email instrument', () => {
  it('signs the template for a recipient given by address (hashed), and --record records the send once', async () => {
    const args = [
      'email',
      'instrument',
      '--campaign',
      'spring-sale',
      '--message',
      'm-ada',
      '--recipient',
      'Ada@Example.org',
      '--record',
    ]
    const bin = join(ROOT, 'packages/cli/src/bin.ts')
    const first = await run(bin, args, env, TEMPLATE)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout.toLowerCase()).not.toContain('ada@example.org')
    const tracked = hrefs(first.stdout).filter((h) => h.startsWith(`${collector.url}/e/c/dev/`))
    expect(tracked).toHaveLength(4) // hero, two products, the honeypot
    expect(hrefs(first.stdout)).toContain('https://shop.example.com/unsubscribe?u=UNSUBSCRIBE_TOKEN')
    expect(hrefs(first.stdout)).toContain('mailto:help@shop.example.com')
    expect(first.stdout).toMatch(new RegExp(`<img src="${collector.url}/e/o/dev/[^"]+\\.gif"[^>]*/></body>`))

    const res = await fetch(tracked[0]!, { redirect: 'manual', headers: { 'user-agent': CHROME } })
    expect(res.status).toBe(302)
    const landing = new URL(res.headers.get('location')!)
    expect(landing.searchParams.get('season')).toBe('spring')
    expect(landing.searchParams.get('utm_campaign')).toBe('spring-sale')

    expect((await run(bin, args, env, TEMPLATE)).code).toBe(0) // a second run must not count a second send
    const { adminKey } = keysIn(dir)
    const sends = await eventually(
      () =>
        sql<{ user_id: string; n: string }>(
          collector.url,
          adminKey,
          `SELECT user_id, count() AS n FROM events FINAL WHERE event = 'Email Sent' GROUP BY user_id`,
        ),
      (r) => r.length === 1,
    )
    expect(sends[0]!.user_id).toMatch(/^h_/)
    expect(Number(sends[0]!.n)).toBe(1)
    const clicks = await eventually(
      () =>
        sql<{ user_id: string }>(
          collector.url,
          adminKey,
          `SELECT user_id FROM events WHERE event = 'Email Clicked'`,
        ),
      (r) => r.length === 1,
    )
    expect(clicks[0]!.user_id).toBe(sends[0]!.user_id)
    // the campaign report names the link that was clicked: a person's click, or a scanner's this soon after the send
    const report = await run(bin, ['report', 'email'], { ...env, TOUCHPOINT_ADMIN_KEY: adminKey }, '')
    expect(report.stderr).toBe('')
    expect(report.stdout).toMatch(/^spring-sale\s+1\s/m)
    expect(report.stdout).toMatch(
      /\n\nLinks clicked in spring-sale\nlink\s+people\s+clicks\s+scanner clicks\s+target\s*\n[─\s]+\nhero\s+(0\s+0\s+1|1\s+1\s+0)\s+https:\/\/shop\.example\.com\/\?season=spring/,
    )
    expect(report.stdout).not.toContain('bounce rate')

    // the email service's webhook says the address bounced: the server records it for the send's recipient, twice
    // (a webhook retried), and the report gives the bounce rate
    const client = new Touchpoint({ secretKey: keysIn(dir).secretKey, host: collector.url })
    const bounce = { campaignId: 'spring-sale', emailId: 'm-ada', bounceType: 'hard' as const }
    client.emailBounced({ userId: sends[0]!.user_id, messageId: 'bounce-m-ada', properties: bounce })
    client.emailBounced({ userId: sends[0]!.user_id, messageId: 'bounce-m-ada', properties: bounce })
    await client.close()
    const adminEnv = { ...env, TOUCHPOINT_ADMIN_KEY: adminKey }
    const bounced = await eventually(
      () => run(bin, ['report', 'email'], adminEnv, ''),
      (r) => r.stdout.includes('bounce rate'),
    )
    expect(bounced.stdout).toMatch(
      /^campaign\s+sent\s+delivered\s+bounce rate\s+hard bounces\s+opened\s+clicked\s+open rate/,
    )
    expect(bounced.stdout).toMatch(/\nspring-sale\s+1\s+0\s+100\.0%\s+1\s/)
  })

  it('names what is missing', async () => {
    const r = await run(
      join(ROOT, 'packages/cli/src/bin.ts'),
      ['email', 'instrument', '--campaign', 'c'],
      env,
      '',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/usage: touchpoint email instrument --campaign C --message M --recipient R/)
  })
})

describe('examples/email/instrument.ts', () => {
  it('instruments the template with the dev project keys', async () => {
    const r = await run(
      join(ROOT, 'examples/email/instrument.ts'),
      ['customer-7'],
      { TOUCHPOINT_CONFIG: join(dir, 'touchpoint.json'), TOUCHPOINT_URL: collector.url },
      '',
    )
    expect(r.stderr).toBe('')
    const pixel = /<img src="([^"]+\.gif)"/.exec(r.stdout)![1]!
    const res = await fetch(pixel, { headers: { 'user-agent': CHROME } })
    expect(res.headers.get('content-type')).toBe('image/gif')
    const opens = await eventually(
      () =>
        sql<{ user_id: string }>(
          collector.url,
          keysIn(dir).adminKey,
          `SELECT user_id FROM events WHERE event = 'Email Opened'`,
        ),
      (rows) => rows.length === 1,
    )
    expect(opens[0]!.user_id).toBe('customer-7')
  })
})
