import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn } from './helpers/collector'
import { eventually } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * The reports of what happens off the website, as a business runs them: the server SDK's typed helpers send
 * the events to a real collector, and a real CLI process reads the report back.
 */
let collector: RunningCollector | undefined
let env: Record<string, string>
let client: Touchpoint
const HOUR = 3_600_000
const now = Date.now()
const at = (msAgo: number) => new Date(now - msAgo)
const range = [
  '--from',
  new Date(now - 7 * 86_400_000).toISOString().slice(0, 10),
  '--to',
  new Date(now + 86_400_000).toISOString().slice(0, 10),
  '--timezone',
  'UTC',
]

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  const keys = keysIn(started.dir)
  env = {
    TOUCHPOINT_DATA_DIR: started.dir,
    TOUCHPOINT_URL: started.collector.url,
    TOUCHPOINT_ADMIN_KEY: keys.adminKey,
  }
  client = new Touchpoint({ secretKey: keys.secretKey, host: started.collector.url })
})
afterAll(async () => {
  await client?.close()
  await collector?.close()
})

describe('touchpoint report support', () => {
  it('prints tickets by channel from what the helpdesk sent, and by day', async () => {
    const opened = (userId: string, ticketId: string, channel: 'email' | 'chat', msAgo: number) =>
      client.supportTicketOpened({ userId, timestamp: at(msAgo), properties: { ticketId, channel } })
    opened('c1', 'T-1', 'email', 3 * HOUR)
    client.supportTicketResolved({
      userId: 'c1',
      timestamp: at(HOUR),
      properties: { ticketId: 'T-1', resolution: 'refunded' },
    })
    opened('c1', 'T-2', 'chat', 2 * HOUR)
    opened('c2', 'T-3', 'email', HOUR)
    await client.flush()

    const report = () => cli(['report', 'support', ...range], env)
    const r = await eventually(report, (x) => /\(all\)\s+3\s+1\s/.test(x.stdout))
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^2 customers opened tickets, 1 of them two or more\n/)
    // email: two opened, one resolved in two hours, one open; chat: one open
    expect(r.stdout).toMatch(/\nemail\s+2\s+1\s+50\.0%\s+1\s+2\.0 h\s+2\.0 h\s+2\s*\n/)
    expect(r.stdout).toMatch(/\nchat\s+1\s+0\s+0\.0%\s+1\s+1\s*\n/)
    expect(r.stdout).toMatch(/\n\(all\)\s+3\s+1\s+33\.3%\s+2\s+2\.0 h\s+2\.0 h\s+2\s*\n/)

    const byDay = await cli(['report', 'support', ...range, '--interval', 'day', '--json'], env)
    const series = JSON.parse(byDay.stdout).series as Array<{ opened: number; resolved: number }>
    expect(series).toHaveLength(8)
    expect(series.reduce((sum, d) => sum + d.opened, 0)).toBe(3)
    expect(series.reduce((sum, d) => sum + d.resolved, 0)).toBe(1)

    const bad = await cli(['report', 'support', ...range, '--by', 'agent'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('by')
  })
})

describe('touchpoint report subscriptions', () => {
  it('prints active, new, cancelled and churned subscriptions by plan, with the revenue a month', async () => {
    client.subscriptionStarted({
      userId: 'c3',
      timestamp: at(3 * 86_400_000),
      properties: { subscriptionId: 'S-A', plan: 'team', revenue: 50, currency: 'EUR', interval: 'month' },
    })
    // before the range, yearly: 120 a year is 10 a month
    client.subscriptionStarted({
      userId: 'c4',
      timestamp: at(10 * 86_400_000),
      properties: { subscriptionId: 'S-B', plan: 'team', revenue: 120, currency: 'EUR', interval: 'year' },
    })
    client.subscriptionCancelled({
      userId: 'c4',
      timestamp: at(86_400_000),
      properties: { subscriptionId: 'S-B', reason: 'switched' },
    })
    await client.flush()

    const report = () => cli(['report', 'subscriptions', ...range], env)
    const r = await eventually(report, (x) => x.stdout.includes('switched'))
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^1 customer with an active subscription at the end\n/)
    expect(r.stdout).toMatch(/\nteam\s+1\s+1\s+1\s+1\s+100\.0%\s+1\s+10\.00 EUR\s+50\.00 EUR\s*\n/)
    expect(r.stdout).toMatch(/Why they cancelled\nreason\s+cancelled\s*\n[─\s]+\nswitched\s+1/)
  })
})
