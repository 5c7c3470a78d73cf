import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn } from './helpers/collector'
import { DAY, dayOf, today } from './helpers/days'
import { basic, eventually, post } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * `--all` through a real CLI process and collector: more people than one page holds (10,000), each listed once in
 * the CSV, for a mailing to everyone who dropped out of a funnel or every customer who lapsed.
 */
const PEOPLE = 10_400
/** every 50th person ordered this week; the rest a month ago, for 5 to 11 EUR */
const ACTIVE = PEOPLE / 50
let collector: RunningCollector | undefined
let env: Record<string, string>
/** the output of a list of thousands */
const BIG = 16 * 1024 * 1024
const range = ['--from', dayOf(-6), '--to', dayOf(1), '--timezone', 'UTC']

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  env = cliEnvOf(started)
  const auth = { authorization: basic(keysIn(started.dir).secretKey) }
  // each person viewed the pricing page
  const events = Array.from({ length: PEOPLE }, (_, i) => {
    const at = (days: number) => new Date(today - days * DAY + (i % 3600) * 1000).toISOString()
    const order = { type: 'track', event: 'Order Completed', userId: `u${i}`, messageId: `o${i}` }
    return [
      {
        type: 'page',
        userId: `u${i}`,
        messageId: `p${i}`,
        timestamp: at(2),
        properties: { path: '/pricing' },
      },
      i % 50 === 0
        ? { ...order, timestamp: at(1), properties: { orderId: `O${i}`, revenue: 10, currency: 'EUR' } }
        : {
            ...order,
            timestamp: at(30),
            properties: { orderId: `O${i}`, revenue: 5 + (i % 7), currency: 'EUR' },
          },
    ]
  }).flat()
  for (let i = 0; i < events.length; i += 1000) {
    const res = await post(`${collector.url}/v1/batch`, { batch: events.slice(i, i + 1000) }, auth)
    expect(res.body).toMatchObject({ accepted: Math.min(1000, events.length - i) })
  }
  await eventually(
    () => cli(['report', 'customers', '--who', 'lapsed', '--json', ...range], env),
    (r) => r.code === 0 && JSON.parse(r.stdout).total === PEOPLE - ACTIVE,
    30_000,
  )
}, 120_000)
afterAll(async () => collector?.close())

/** A CSV's data rows' first column. */
const firstColumn = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0])

describe('--all', () => {
  it("lists every person who dropped out of a funnel, past a page's 10,000, each once", async () => {
    const funnel = ['funnel', ...range, '--step', 'Page Viewed[path=/pricing]', '--step', 'Order Completed']
    const r = await cli([...funnel, '--people', 'dropped:2', '--all', '--csv'], env, BIG)
    expect(r.stderr).toBe('')
    const people = firstColumn(r.stdout)
    // those who did not order this week: more than a page
    expect(PEOPLE - ACTIVE).toBeGreaterThan(10_000)
    expect(people).toHaveLength(PEOPLE - ACTIVE)
    expect(new Set(people).size).toBe(people.length)
    expect(people).not.toContain('u0')
    expect(people).toContain('u1')
    // in the order of the list's own pages (read by person, then put back in it), from an --offset too
    const head = await cli([...funnel, '--people', 'dropped:2', '--limit', '100', '--csv'], env)
    expect(firstColumn(head.stdout)).toEqual(people.slice(0, 100))
    const later = await cli([...funnel, '--people', 'dropped:2', '--all', '--offset', '5', '--csv'], env, BIG)
    expect(firstColumn(later.stdout)).toEqual(people.slice(5))
    // one page, as before, says how many more there are
    const page = await cli([...funnel, '--people', 'dropped:2'], env)
    expect(page.stdout).toMatch(/\n\d+ more; --limit N lists more/)
    const both = await cli([...funnel, '--people', 'dropped:2', '--all', '--limit', '5'], env)
    expect(both.stderr).toMatch(/--all lists everyone, in pages of its own; drop --limit/)
  }, 120_000)

  it('lists every lapsed customer, and refuses --all for a report that has no pages', async () => {
    const r = await cli(['report', 'customers', '--who', 'lapsed', '--all', '--csv', ...range], env, BIG)
    expect(r.stderr).toBe('')
    const customers = firstColumn(r.stdout)
    expect(customers).toHaveLength(PEOPLE - ACTIVE)
    expect(new Set(customers).size).toBe(customers.length)
    // the most valuable first, as one page lists them
    const head = await cli(
      ['report', 'customers', '--who', 'lapsed', '--limit', '100', '--csv', ...range],
      env,
    )
    expect(firstColumn(head.stdout)).toEqual(customers.slice(0, 100))
    const json = JSON.parse(
      (await cli(['report', 'customers', '--all', '--json', ...range], env, BIG)).stdout,
    )
    expect(json).toMatchObject({ total: ACTIVE, offset: 0 })
    expect(json.customers).toHaveLength(ACTIVE)
    const traffic = await cli(['report', 'traffic', '--all', ...range], env)
    expect(traffic.stderr).toMatch(/--all: only the customers report lists its rows in pages/)
  }, 120_000)
})
