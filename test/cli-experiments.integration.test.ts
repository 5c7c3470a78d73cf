import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn } from './helpers/collector'
import { DAY, dayOf, today } from './helpers/days'
import { eventually } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * `touchpoint report experiments` as a shop reads its checkout test: its server shows each customer a variant
 * and records the orders through the node SDK, and a real CLI process lists the test and sets its variants side
 * by side.
 */
let collector: RunningCollector | undefined
let env: Record<string, string>
const range = ['--from', dayOf(-6), '--to', dayOf(1), '--timezone', 'UTC']
const at = (daysAgo: number, hour = 10) => new Date(today - daysAgo * DAY + hour * 3_600_000)

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  env = cliEnvOf(started)
  const client = new Touchpoint({ secretKey: keysIn(started.dir).secretKey, host: collector.url })
  const show = (userId: string, variationId: string) =>
    client.experimentViewed({
      userId,
      timestamp: at(5),
      properties: { experimentId: 'one-page-checkout', variationId },
    })
  const order = (userId: string, orderId: string, revenue: number) =>
    client.orderCompleted({
      userId,
      timestamp: at(4),
      properties: { orderId, revenue, currency: 'EUR', channel: 'web' },
    })
  for (const u of ['c1', 'c2', 'c3', 'c4']) show(u, 'control')
  for (const u of ['b1', 'b2', 'b3', 'b4']) show(u, 'one-page')
  order('c1', 'O-1', 40)
  order('b1', 'O-2', 50)
  order('b2', 'O-3', 70)
  order('b3', 'O-4', 30)
  await client.close()
})
afterAll(async () => collector?.close())

describe('touchpoint report experiments', () => {
  it('lists the tests of the range with the people shown each variant', async () => {
    const r = await eventually(
      () => cli(['report', 'experiments', ...range], env),
      (x) => /one-page-checkout\s+8\s/.test(x.stdout),
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain('control 4, one-page 4')
    expect(r.stdout).toContain('touchpoint report experiments --experiment ID')
  })

  it("sets a test's variants beside its control, with the intervals and p-values", async () => {
    const args = ['report', 'experiments', ...range, '--experiment', 'one-page-checkout']
    // every order loaded (the client may send them in more than one request, loaded apart)
    const r = await eventually(
      () => cli(args, env),
      (x) => /\none-page\s+4\s+3\s+75\.0%/.test(x.stdout) && /\ncontrol\s+4\s+1\s+25\.0%\s/.test(x.stdout),
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(
      /^Experiment one-page-checkout: Order Completed within 14 days of each person's first exposure\n/,
    )
    expect(r.stdout).toMatch(/\ncontrol\s+4\s+1\s+25\.0%\s/)
    // +50 pp, uplift +200%; p of the pooled z-test on 1 of 4 against 3 of 4, and the sequential p, which four
    // people a variant leave near 1
    expect(r.stdout).toMatch(
      /\none-page\s+4\s+3\s+75\.0%\s+\+50\.0 pp \(-?[\d.]+ to \+[\d.]+\)\s+\+200\.0%\s+0\.157\s+0\.998\s/,
    )
    expect(r.stdout).toContain('p under 0.05: significant at 95%')
    expect(r.stdout).toContain('p seq under 0.05: the same for a test watched at every look')
    // four people a variant tell nothing: the test would need thousands to see a tenth more orders
    expect(r.stdout).toContain(
      'To tell a +10% uplift on the control’s 25.0% from chance 80% of the time (at 95%), each variant needs about 4,859 people; the smallest here has 4.',
    )

    // the orders came a day after the exposures: a 12-hour window counts none of them
    const json = JSON.parse((await cli([...args, '--json', '--window', '12h'], env)).stdout)
    expect(json.control).toBe('control')
    expect(json.windowSeconds).toBe(43_200)
    expect(
      json.variants.map((v: { variant: string; converted: number }) => [v.variant, v.converted]),
    ).toEqual([
      ['control', 0],
      ['one-page', 0],
    ])
    const csv = (await cli([...args, '--csv'], env)).stdout.trimEnd().split('\r\n')
    expect(csv[0]?.split(',').slice(0, 8)).toEqual([
      'variant',
      'people',
      'converted',
      'conversionRate',
      'conversions',
      'revenue',
      'revenuePerPerson',
      'vsControl',
    ])
    expect(csv[2]).toMatch(/^one-page,4,3,0\.75,3,150,37\.5,/)
  })

  it('refuses a variation that is no text or whole number, naming the field', async () => {
    const client = new Touchpoint({
      secretKey: keysIn(env.TOUCHPOINT_DATA_DIR!).secretKey,
      host: collector!.url,
    })
    expect(() =>
      client.experimentViewed({ userId: 'x', properties: { experimentId: 'e', variationId: 1.5 } }),
    ).toThrow(/properties\.variationId/)
    await client.close()
  })
})
