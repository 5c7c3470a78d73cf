import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn } from './helpers/collector'
import { DAY, dayOf, today } from './helpers/days'
import { eventually } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * `touchpoint report customers` as a shop runs it before a campaign: the orders come from its server through the
 * node SDK, and a real CLI process lists who bought this week, who came back and who has not bought again.
 */
let collector: RunningCollector | undefined
let env: Record<string, string>
const range = ['--from', dayOf(-6), '--to', dayOf(1), '--timezone', 'UTC']
/** a line of an order, as the server SDK's orderCompleted takes it */
type Product = { productId: string; name: string; category: string; price: number; quantity?: number }

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  env = cliEnvOf(started)
  const client = new Touchpoint({ secretKey: keysIn(started.dir).secretKey, host: collector.url })
  const order = (userId: string, daysAgo: number, orderId: string, revenue: number, products?: Product[]) =>
    client.orderCompleted({
      userId,
      timestamp: new Date(today - daysAgo * DAY + 12 * 3_600_000),
      properties: {
        orderId,
        revenue,
        currency: 'EUR',
        // bob's, the shop in Mitte took
        ...(orderId === 'O-3' ? { channel: 'store', storeId: 'mitte' } : { channel: 'web' }),
        ...(products && { products }),
      },
    })
  const kettle = { productId: 'kettle', name: 'Kettle', category: 'kitchen', price: 35 }
  client.identify({ userId: 'ann', traits: { email: 'ann@example.com' } })
  // ann looked round the shop in Mitte for 25 minutes and bought nothing there
  client.storeVisited({
    userId: 'ann',
    timestamp: new Date(today - 4 * DAY + 12 * 3_600_000),
    properties: { storeId: 'mitte', durationMinutes: 25 },
  })
  order('ann', 20, 'O-1', 30) // ann bought before the week, and again in it
  order('ann', 3, 'O-2', 70, [{ ...kettle, quantity: 2 }])
  order('bob', 2, 'O-3', 120, [kettle, { productId: 'mug', name: 'Mug', category: 'kitchen', price: 85 }]) // bob's first
  order('cy', 30, 'O-4', 500) // cy bought a month ago, not since
  // bob sent the mug back this week: 85 EUR of his order given back
  client.orderRefunded({
    userId: 'bob',
    timestamp: new Date(today - DAY + 12 * 3_600_000),
    properties: {
      orderId: 'O-3',
      revenue: 85,
      currency: 'EUR',
      reason: 'damaged',
      products: [{ productId: 'mug', price: 85 }],
    },
  })
  await client.close()
})
afterAll(async () => collector?.close())

describe('touchpoint report customers', () => {
  it("counts this week's customers, new and returning, and the lapsed, and lists the week's by revenue", async () => {
    const report = () => cli(['report', 'customers', ...range], env)
    // every order loaded (the client may send them in more than one request, loaded apart)
    const r = await eventually(report, (x) => x.stdout.startsWith('2 customers ordered in the range: 1 for'))
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(
      /^2 customers ordered in the range: 1 for the first time, 1 again; 1 lapsed, who ordered before it and not in it\n/,
    )
    expect(r.stdout).toContain('Customers who ordered in the range, by revenue in the range (1–2 of 2)')
    expect(r.stdout).toMatch(/\nbob\s+1\s+120\.00 EUR\s+1\s+120\.00 EUR\s+120\.00 EUR\s/)
    expect(r.stdout).toMatch(/\nann\s+1\s+70\.00 EUR\s+2\s+100\.00 EUR\s+50\.00 EUR\s/)
    expect(r.stdout).toContain('touchpoint profile bob shows')
    // bob sent 85 EUR back: by what their orders kept, ann comes first
    const net = await cli(['report', 'customers', ...range, '--net-of-refunds'], env)
    expect(net.stdout).toContain(
      'Customers who ordered in the range, by revenue in the range (1–2 of 2; revenue kept after refunds)',
    )
    expect(net.stdout).toMatch(
      /\nann\s+1\s+70\.00 EUR\s+2\s+100\.00 EUR\s+50\.00 EUR\s[\s\S]*\nbob\s+1\s+35\.00 EUR\s+1\s+35\.00 EUR\s+35\.00 EUR\s/,
    )
  })

  it('writes who came back with their email addresses for a mailing, and lists the lapsed by what they spent', async () => {
    const csv = await cli(
      ['report', 'customers', ...range, '--who', 'returning', '--traits', 'email', '--csv'],
      env,
    )
    const lines = csv.stdout.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'person,orders,revenue,lifetimeOrders,lifetimeRevenue,averageOrder,firstOrderAt,lastOrderAt,daysSinceLastOrder,traits.email',
    )
    expect(lines[1]).toMatch(/^ann,1,70,2,100,50,\d{4}-.*,ann@example\.com$/)
    const lapsed = await cli(['report', 'customers', ...range, '--who', 'lapsed', '--json'], env)
    const answer = JSON.parse(lapsed.stdout)
    expect(answer).toMatchObject({ who: 'lapsed', sort: 'lifetimeRevenue', total: 1 })
    expect(answer.customers).toMatchObject([{ person: 'cy', orders: 0, lifetimeRevenue: 500 }])
    expect(answer.customers[0].daysSinceLastOrder).toBeGreaterThanOrEqual(29)

    const bad = await cli(['report', 'customers', ...range, '--who', 'vip'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('who')
  })
  it('prints what sold this week, by product and by category', async () => {
    const r = await cli(['report', 'products', ...range], env)
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(
      /^product\s+name\s+category\s+orders\s+quantity\s+revenue\s+average price\s+customers\s+returned\s+refunded\s+return rate/,
    )
    // the mug came back: one of one sold this week
    expect(r.stdout).toMatch(
      /\nkettle\s+Kettle\s+kitchen\s+2\s+3\s+105\.00 EUR\s+35\.00 EUR\s+2\s+0\s+0\.00 EUR\s+0\.0%/,
    )
    expect(r.stdout).toMatch(
      /\nmug\s+Mug\s+kitchen\s+1\s+1\s+85\.00 EUR\s+85\.00 EUR\s+1\s+1\s+85\.00 EUR\s+100\.0%/,
    )
    expect(r.stdout).toMatch(/\n\(all\)\s+2\s+4\s+190\.00 EUR\s+47\.50 EUR\s+2\s+1\s+85\.00 EUR\s+25\.0%/)
    const csv = await cli(['report', 'products', ...range, '--by', 'category', '--csv'], env)
    expect(csv.stdout.split('\r\n').slice(0, 2)).toEqual([
      'key,orders,customers,quantity,revenue,averagePrice,returned,refunded,returnRate',
      'kitchen,2,2,4,190,47.5,1,85,0.25',
    ])
  })

  it("prints the week's refund beside its orders, and the revenue net of it", async () => {
    const r = await eventually(
      () => cli(['report', 'orders', ...range], env),
      (x) => x.stdout.includes('1 refund in the range'), // the refund loaded
    )
    expect(r.stderr).toBe('')
    // ann's 70 and bob's 120 this week; bob's 85 given back
    expect(r.stdout).toMatch(
      /^orders\s+revenue\s+average order\s+customers\s+repeat purchase\s+checkout abandonment\s+refunded\s+net revenue/,
    )
    expect(r.stdout).toMatch(
      // no checkout started: no abandonment rate
      /\n2\s+190\.00 EUR\s+95\.00 EUR\s+2\s+0\.0%\s+85\.00 EUR\s+105\.00 EUR\s*\n/,
    )
    expect(r.stdout).toContain('1 refund in the range (Order Refunded) gave back 85.00 EUR of 1 order')
  })

  it("sets the shop in Mitte's visits beside the orders it took", async () => {
    const r = await eventually(
      () => cli(['report', 'stores', ...range], env),
      (x) => /\nmitte\s+1\s+1\s+25 min\s+1\s/.test(x.stdout), // the visit and the order both loaded
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^store\s+visits\s+visitors\s+visit \(median\)\s+orders\s+revenue\s+buyers/)
    expect(r.stdout).toMatch(/\nmitte\s+1\s+1\s+25 min\s+1\s+120\.00 EUR\s+1\s*\n/)
  })
})
