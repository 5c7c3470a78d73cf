import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, freePort, type Keys, keysIn, tempDir } from './helpers/collector'
import { eventually, post, sql } from './helpers/http'

/**
 * The server-side client against a real collector process: delivery through a kill -9 and restart, what a
 * write key may and may not claim, and the typed helpers feeding the orders and NPS reports.
 */
let collector: CollectorProcess
let keys: Keys

beforeAll(async () => {
  const dir = tempDir('tp-node-client-')
  collector = new CollectorProcess(dir, await freePort())
  await collector.start()
  keys = keysIn(dir)
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

const query = <T = Record<string, unknown>>(q: string, params: Record<string, unknown> = {}) =>
  sql<T>(collector.url, keys.adminKey, q, params)

describe('@touchpoint/node client', () => {
  it('delivers all of 100,000 calls made in a tight loop, through a kill -9 and restart of the collector', {
    timeout: 240_000,
  }, async () => {
    const dropped: string[] = []
    const client = new Touchpoint({
      secretKey: keys.secretKey,
      host: collector.url,
      onDrop: (messages, reason) => dropped.push(`${messages.length}: ${reason}`),
    })
    const total = 100_000
    for (let i = 0; i < total; i++)
      client.track({ userId: `u-${i % 997}`, event: 'Client Load', properties: { i } })
    expect(client.stats.queued).toBe(total)

    // part-way through, the collector dies without warning and comes back on the same port
    await eventually(
      async () => client.stats.delivered,
      (n) => n >= 20_000,
      120_000,
    )
    expect(client.stats.delivered).toBeLessThan(total)
    await collector.stop('SIGKILL')
    await collector.start()

    const stats = await client.close()
    expect(dropped).toEqual([])
    expect(client.pending).toBe(0)
    expect(stats).toMatchObject({ delivered: total, dropped: 0, rejected: 0 })
    expect(stats.retries).toBeGreaterThan(0)

    // every acknowledged call is stored, once (a batch in flight at the kill was sent twice)
    const [row] = await eventually(
      () =>
        query<{ n: number; ids: number; lo: number; hi: number }>(
          `SELECT count() AS n, uniqExact(message_id) AS ids, min(JSONExtractInt(properties, 'i')) AS lo,
             max(JSONExtractInt(properties, 'i')) AS hi FROM events WHERE event = 'Client Load'`,
        ),
      (r) => Number(r[0]?.n) >= total,
      60_000,
    )
    expect(row).toEqual({ n: total, ids: total, lo: 0, hi: total - 1 })
  })

  it('ignores the IP and historic timestamp a write-key call claims, and keeps a secret-key call’s', async () => {
    const claim = (event: string) => ({
      userId: 'trust-test',
      event,
      timestamp: '2021-03-04T05:06:07.000Z',
      context: { ip: '203.0.113.77' },
    })
    const browserSide = new Touchpoint({ writeKey: keys.writeKey, host: collector.url })
    browserSide.track(claim('Write Key Claim'))
    await browserSide.close()
    const serverSide = new Touchpoint({ secretKey: keys.secretKey, host: collector.url })
    serverSide.track(claim('Secret Key Claim'))
    await serverSide.close()
    const importer = new Touchpoint({ secretKey: keys.secretKey, host: collector.url, source: 'import' })
    importer.track(claim('Imported Claim'))
    await importer.close()

    const rows = await eventually(
      () =>
        query<{ event: string; source: string; ip: string; ts: string; recent: number }>(
          `SELECT event, source, ip, toString(timestamp) AS ts, timestamp > now() - INTERVAL 1 HOUR AS recent
           FROM events WHERE user_id = 'trust-test' ORDER BY event`,
        ),
      (r) => r.length === 3,
      20_000,
    )
    expect(rows).toEqual([
      {
        event: 'Imported Claim',
        source: 'import',
        ip: '203.0.113.0',
        ts: '2021-03-04 05:06:07.000',
        recent: 0,
      },
      {
        event: 'Secret Key Claim',
        source: 'server',
        ip: '203.0.113.0',
        ts: '2021-03-04 05:06:07.000',
        recent: 0,
      },
      // the write key's claims are replaced by what the collector saw: its peer address and the receive time
      { event: 'Write Key Claim', source: 'browser', ip: '127.0.0.0', ts: expect.any(String), recent: 1 },
    ])
  })

  it('records each helper’s event with its typed fields, and the reports use them', async () => {
    const tp = new Touchpoint({ secretKey: keys.secretKey, host: collector.url })
    const day = (d: number) => new Date(Date.UTC(2026, 9, d, 12)).toISOString()
    tp.orderCompleted({
      userId: 'c1',
      timestamp: day(1),
      properties: {
        orderId: 'P-1',
        revenue: 120,
        currency: 'eur',
        channel: 'phone',
        products: [{ productId: 'kettle', price: 60, quantity: 2 }],
      },
    })
    tp.orderCompleted({
      userId: 'c1',
      timestamp: day(9),
      properties: { orderId: 'S-1', revenue: 30.5, currency: 'EUR', channel: 'store', storeId: 'berlin-1' },
    })
    tp.orderCompleted({
      userId: 'c2',
      timestamp: day(10),
      properties: { orderId: 'W-1', revenue: 50, currency: 'EUR', channel: 'web' },
    })
    const answers = [10, 9, 8, 3]
    answers.forEach((answer, i) => {
      tp.surveyAnswered({
        userId: `r${i}`,
        timestamp: day(5),
        properties: {
          survey: 'q4-nps',
          question: 'How likely are you to recommend us?',
          type: 'nps',
          answer,
        },
      })
    })
    tp.subscriptionStarted({
      userId: 'c1',
      timestamp: day(2),
      properties: { subscriptionId: 'sub-1', plan: 'pro', revenue: 9, currency: 'EUR', interval: 'month' },
    })
    tp.subscriptionCancelled({
      userId: 'c1',
      timestamp: day(20),
      properties: { subscriptionId: 'sub-1', reason: 'price' },
    })
    tp.supportTicketOpened({
      userId: 'c2',
      timestamp: day(11),
      properties: { ticketId: 'T-1', channel: 'chat', priority: 'high' },
    })
    tp.supportTicketResolved({
      userId: 'c2',
      timestamp: day(12),
      properties: { ticketId: 'T-1', durationSeconds: 86_400 },
    })
    tp.callLogged({
      userId: 'c2',
      timestamp: day(11),
      properties: { callId: 'K-1', direction: 'inbound', durationSeconds: 312 },
    })
    tp.storeVisited({
      userId: 'c1',
      timestamp: day(9),
      properties: { storeId: 'berlin-1', durationMinutes: 25 },
    })
    tp.leadCaptured({
      anonymousId: 'a-lead',
      timestamp: day(3),
      properties: { formName: 'trade-show', formId: 'ts-26' },
    })
    tp.emailSent({
      userId: 'c2',
      timestamp: day(4),
      properties: { campaignId: 'autumn', emailId: 'autumn-1' },
    })
    // a helper refuses what its schema does not allow, naming the field, before anything is sent
    expect(() =>
      tp.surveyAnswered({ userId: 'x', properties: { survey: 's', question: 'q', type: 'nps', answer: 11 } }),
    ).toThrow(/properties.answer: an NPS answer must be a whole number from 0 to 10/)
    expect(() =>
      tp.leadCaptured({ userId: 'x', properties: { formName: 'f', email: 'a@example.com' } as never }),
    ).toThrow(/email/)
    const stats = await tp.close()
    expect(stats).toMatchObject({ delivered: 15, rejected: 0, dropped: 0 })

    const typed = await eventually(
      () =>
        query<{ event: string; n: string; types: string[] }>(
          `SELECT event, count() AS n, arraySort(groupUniqArray(concat(k, ':', JSONType(properties, k)))) AS types
           FROM events ARRAY JOIN JSONExtractKeys(properties) AS k
           WHERE project_id = 'dev' AND source = 'server' AND toYear(timestamp) = 2026 AND toMonth(timestamp) = 10
           GROUP BY event ORDER BY event`,
        ),
      (r) => r.reduce((s, x) => s + Number(x.n), 0) >= 1,
      20_000,
    )
    const byEvent = Object.fromEntries(typed.map((t) => [t.event, t.types]))
    expect(byEvent['Survey Answered']).toEqual([
      'answer:Int64',
      'question:String',
      'survey:String',
      'type:String',
    ])
    expect(byEvent['Order Completed']).toEqual(
      expect.arrayContaining(['channel:String', 'orderId:String', 'products:Array', 'revenue:Double']),
    )
    expect(byEvent['Call Logged']).toContain('durationSeconds:Int64')
    expect(Object.keys(byEvent).sort()).toEqual([
      'Call Logged',
      'Email Sent',
      'Lead Captured',
      'Order Completed',
      'Store Visited',
      'Subscription Cancelled',
      'Subscription Started',
      'Support Ticket Opened',
      'Support Ticket Resolved',
      'Survey Answered',
    ])

    const range = { project: 'dev', from: '2026-10-01', to: '2026-11-01' }
    const auth = { authorization: `Bearer ${keys.adminKey}` }
    const orders = await post(`${collector.url}/api/reports/orders`, range, auth)
    expect(orders.status).toBe(200)
    expect(orders.body).toMatchObject({
      orders: 3,
      revenue: 200.5,
      customers: 2,
      repeatPurchaseRate: 0.5,
      currencies: ['EUR'],
    })
    expect(orders.body.byChannel).toEqual([
      { channel: 'phone', orders: 1, revenue: 120 },
      { channel: 'web', orders: 1, revenue: 50 },
      { channel: 'store', orders: 1, revenue: 30.5 },
    ])
    const nps = await post(`${collector.url}/api/reports/nps`, { ...range, survey: 'q4-nps' }, auth)
    expect(nps.status).toBe(200)
    // 2 promoters, 1 passive, 1 detractor of 4: (2 − 1) / 4 = 25
    expect(nps.body).toMatchObject({ score: 25, responses: 4, promoters: 2, passives: 1, detractors: 1 })
  })
})
