import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn } from './helpers/collector'
import { basic, eventually, post } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * The reports of what happens off the website, as a business runs them: the server SDK's typed helpers send
 * the events to a real collector, and a real CLI process reads the report back.
 */
let collector: RunningCollector | undefined
let env: Record<string, string>
let client: Touchpoint
let writeKey = ''
/** a browser's user agent: a call without one is taken for a bot's, and a bot's visit is nobody's first */
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
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
  env = cliEnvOf(started)
  client = new Touchpoint({ secretKey: keys.secretKey, host: started.collector.url })
  writeKey = keys.writeKey
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
    // every one of the three loaded: the client may send them in more than one request, loaded apart
    const r = await eventually(report, (x) => x.stdout.includes('switched') && /^1 customer/.test(x.stdout))
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^1 customer with an active subscription at the end\n/)
    expect(r.stdout).toMatch(/\nteam\s+1\s+1\s+1\s+1\s+100\.0%\s+1\s+10\.00 EUR\s+50\.00 EUR\s*\n/)
    expect(r.stdout).toMatch(/Why they cancelled\nreason\s+cancelled\s*\n[─\s]+\nswitched\s+1/)
    // from the 10 a month at the start to the 50 at the end: S-A new, S-B churned
    const moved = r.stdout.split('\nHow the MRR moved\n')[1]?.split('\n\n')[0]?.split('\n') ?? []
    expect(moved.slice(2).map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ['at start', '10.00 EUR'],
      ['new (1)', '+50.00 EUR'],
      ['reactivation (0)', '0.00 EUR'],
      ['expansion (0)', '0.00 EUR'],
      ['contraction (0)', '0.00 EUR'],
      ['churn (1)', '-10.00 EUR'],
      ['at end', '50.00 EUR'],
    ])
    // by day: every day of the range, the last with the one active subscription and its 50 a month
    const byDay = await cli(['report', 'subscriptions', ...range, '--interval', 'day'], env)
    const days = byDay.stdout.split('\nBy day\n')[1]?.split('\n\n')[0]?.split('\n') ?? []
    expect(days[0]).toMatch(
      /^day\s+new\s+cancelled\s+active at end\s+MRR at end\s+new MRR\s+reactivation\s+expansion\s+contraction\s+churn\s*$/,
    )
    expect(days.slice(2)).toHaveLength(8)
    expect(days.at(-1)).toMatch(/\s1\s+50\.00 EUR(\s+0\.00 EUR){5}\s*$/)
    // S-B's cancellation and S-A's start each move one day's MRR
    expect(days.filter((d) => /\s10\.00 EUR\s*$/.test(d))).toHaveLength(1)
    expect(days.filter((d) => /\s50\.00 EUR(\s+0\.00 EUR){4}\s*$/.test(d))).toHaveLength(1)
  })
})

describe('touchpoint report acquisition', () => {
  it('prints what the people each channel first brought bought afterwards', async () => {
    // a visitor's first visit, from a newsletter link; the order comes from the shop's server two hours later
    const page = {
      type: 'page',
      anonymousId: 'v1',
      properties: {
        path: '/',
        url: 'https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=spring',
      },
      context: { sessionId: 's-v1' },
      timestamp: at(3 * HOUR).toISOString(),
    }
    const res = await post(
      `${collector!.url}/v1/batch`,
      { batch: [page] },
      { authorization: basic(writeKey), 'user-agent': CHROME },
    )
    expect(res.status).toBe(200)
    client.orderCompleted({
      anonymousId: 'v1',
      timestamp: at(HOUR),
      properties: { orderId: 'O-1', revenue: 40, currency: 'EUR', channel: 'web' },
    })
    await client.flush()

    const report = () => cli(['report', 'acquisition', ...range], env)
    const r = await eventually(report, (x) => /\nEmail\s+1\s+1\s/.test(x.stdout))
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(
      /^People whose first visit fell in the range, by its channel, and their conversions within 90 days/,
    )
    expect(r.stdout).toMatch(/\nEmail\s+1\s+1\s+100\.0%\s+1\s+40\.00 EUR\s+40\.00 EUR\s+0\.1\s*\n/)
    const byCampaign = await cli(['report', 'acquisition', ...range, '--by', 'campaign', '--json'], env)
    expect(JSON.parse(byCampaign.stdout).rows).toMatchObject([{ key: 'spring', people: 1, revenue: 40 }])
    // for a spreadsheet: the rows and the total; attribution, a row for each model and key
    const csv = await cli(['report', 'acquisition', ...range, '--csv'], env)
    expect(csv.stdout.split('\r\n').slice(0, 3)).toEqual([
      'key,people,customers,conversionRate,conversions,revenue,revenuePerPerson,medianDaysToConvert',
      expect.stringMatching(/^Email,1,1,1,1,40,40,0\.08\d*$/),
      expect.stringMatching(/^\(all\),1,1,1,1,40,40,0\.08\d*$/),
    ])
    const credits = await cli(['attribution', ...range, '--model', 'first_touch', '--csv'], env)
    expect(credits.stdout).toBe('model,key,conversions,revenue,share\r\nfirst_touch,Email,1,40,1\r\n')

    // 15 of the order given back: the channel kept 25, when asked for what the orders kept
    client.orderRefunded({
      anonymousId: 'v1',
      timestamp: at(HOUR / 2),
      properties: { orderId: 'O-1', revenue: 15, currency: 'EUR' },
    })
    await client.flush()
    const net = await eventually(
      () => cli(['report', 'acquisition', ...range, '--net-of-refunds'], env),
      (x) => /\nEmail\s+1\s+1\s+100\.0%\s+1\s+25\.00 EUR\s/.test(x.stdout),
    )
    expect(net.stdout).toMatch(/within 90 days of it \(revenue kept after refunds\)\n/)
    expect((await cli(['report', 'acquisition', ...range], env)).stdout).toMatch(
      /\nEmail\s+1\s+1\s+100\.0%\s+1\s+40\.00 EUR/,
    )
    const kept = await cli(
      ['attribution', ...range, '--model', 'first_touch', '--net-of-refunds', '--json'],
      env,
    )
    expect(JSON.parse(kept.stdout)).toMatchObject({ netOfRefunds: true, revenue: 25 })
    // the traffic report and the overview take it too, and their revenue columns say so
    const traffic = await cli(['report', 'traffic', ...range, '--net-of-refunds'], env)
    expect(traffic.stdout).toMatch(/^channel\s+sessions\s.*\sconversions\s+revenue kept\s*\n/)
    const overview = await cli(['report', 'overview', ...range, '--net-of-refunds', '--json'], env)
    expect(JSON.parse(overview.stdout)).toMatchObject({ netOfRefunds: true })
    // a report that counts no revenue net of refunds says so, not the gross figures as if they were
    const orders = await cli(['report', 'orders', ...range, '--net-of-refunds'], env)
    expect(orders.code).not.toBe(0)
    expect(orders.stderr).toContain('--net-of-refunds: the orders report does not take it')
  })
})
