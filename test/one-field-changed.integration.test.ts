import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { basic, eventually } from './helpers/http'
import { startTestCollector } from './helpers/in-process'
import { type OpenApi, oneFieldChanged, postSchema, validBody } from './helpers/openapi-bodies'

/**
 * Every POST route of the collector's OpenAPI document, the tracking calls and the analytics, through a real
 * collector with embedded ClickHouse and some stored events: a valid request, then the same request with one field
 * at any depth set to an odd value (a wrong type, an empty or huge one, a date ClickHouse cannot hold). Each answer
 * is a 2xx or a 4xx naming its code, never a 5xx: a date before 1970 once reached the funnel's UInt64 times as an
 * internal error. Random bodies (fuzz.integration.test.ts) nearly always fail before a report runs; these pass
 * every check but one.
 */
const keys = {
  adminKey: 'admin-requests-0123456789abcdef',
  writeKey: 'wk_req_123456',
  secretKey: 'sk_req_0123456789abcdef',
}
const ODD = [
  null,
  '',
  -1,
  0,
  1e308,
  2 ** 53 + 1,
  true,
  [],
  {},
  [{}],
  'x'.repeat(5000),
  '2026-13-45',
  '0001-01-01',
  '9999-12-31',
  '\u0000',
  "'; DROP TABLE events; --",
] as const
// routes that change what is stored, tested on their own
const SKIP = new Set(['/api/forget', '/api/ad-spend', '/api/backup'])

let collector: RunningCollector
let doc: OpenApi

const post = async (url: string, body: unknown, authorization: string) => {
  const res = await collector.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { authorization, 'content-type': 'application/json' },
  })
  return { status: res.statusCode, body: res.body }
}

const admin = `Bearer ${keys.adminKey}`
const named = {
  project: 'req',
  // a tracking call's person and the alias's and group's ids
  anonymousId: 'a-odd',
  userId: 'u-odd',
  previousId: 'a-before',
  groupId: 'g-odd',
  query: 'SELECT count() AS events FROM events',
  from: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
  to: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
}

beforeAll(async () => {
  ;({ collector } = await startTestCollector(
    { adminKey: keys.adminKey, projects: [{ id: 'req', ...keys, allowedOrigins: ['*'] }] },
    { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_KEY: '0' },
  ))
  // a few people's visits, orders, a refund, answers and tickets, so the reports read rows
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString()
  const batch = [0, 1, 2, 3].flatMap((u) => [
    {
      type: 'page',
      anonymousId: `a${u}`,
      messageId: `p${u}`,
      timestamp: day(u + 1),
      context: { page: { url: `https://shop.example/?utm_source=s${u}` } },
    },
    {
      type: 'identify',
      anonymousId: `a${u}`,
      userId: `u${u}`,
      messageId: `i${u}`,
      timestamp: day(u + 1),
      traits: { email: `p${u}@example.com` },
    },
    {
      type: 'track',
      event: 'Experiment Viewed',
      userId: `u${u}`,
      messageId: `x${u}`,
      timestamp: day(u + 1),
      properties: { experimentId: 'e', variationId: `v${u % 2}` },
    },
    {
      type: 'track',
      event: 'Order Completed',
      userId: `u${u}`,
      messageId: `o${u}`,
      timestamp: day(u + 1),
      properties: {
        orderId: `o${u}`,
        revenue: 20,
        currency: 'EUR',
        products: [{ productId: 'p', price: 10, quantity: 2 }],
      },
    },
    {
      type: 'track',
      event: 'Order Refunded',
      userId: `u${u}`,
      messageId: `r${u}`,
      timestamp: day(u),
      properties: { orderId: `o${u}`, revenue: 5, currency: 'EUR' },
    },
    {
      type: 'track',
      event: 'Survey Answered',
      userId: `u${u}`,
      messageId: `s${u}`,
      timestamp: day(u),
      properties: { surveyId: 'nps', question: 'q', answer: u * 3 },
    },
    {
      type: 'track',
      event: 'Support Ticket Opened',
      userId: `u${u}`,
      messageId: `t${u}`,
      timestamp: day(u),
      properties: { ticketId: `t${u}` },
    },
  ])
  const sent = await post('/v1/batch', { batch }, basic(keys.secretKey))
  expect(JSON.parse(sent.body)).toMatchObject({ accepted: batch.length, rejected: [] })
  doc = JSON.parse((await collector.app.inject({ method: 'GET', url: '/openapi.json' })).body)
  // loaded: the orders report counts all four
  await eventually(
    () => post('/api/reports/orders', validBody(postSchema(doc, '/api/reports/orders'), doc, named), admin),
    (orders) => JSON.parse(orders.body).orders === 4,
  )
}, 60_000)
afterAll(async () => collector?.close())

/** Each route under `prefix`'s valid body and its changed ones, with the answers that were no 2xx or named 4xx. */
async function askEachChanged(prefix: string, authorization: string) {
  const routes = Object.keys(doc.paths).filter(
    (p) => p.startsWith(prefix) && doc.paths[p]?.post && !SKIP.has(p),
  )
  const failures: string[] = []
  let sent = 0
  for (const route of routes) {
    const schema = postSchema(doc, route)
    const body = validBody(schema, doc, named)
    const valid = await post(route, body, authorization)
    // /api/profile of a made-up person is a 404; every other route answers the valid body
    if (valid.status >= 300 && !(route === '/api/profile' && valid.status === 404))
      failures.push(`${route} valid ${valid.status} ${valid.body.slice(0, 200)}`)
    for (const variant of oneFieldChanged(body, schema, doc, ODD)) {
      const a = await post(route, variant.body, authorization)
      sent++
      const named4xx = a.status < 500 && (a.status < 400 || /"code":"TP_ERR_[A-Z_]+"/.test(a.body))
      if (!named4xx) failures.push(`${route} ${variant.path}: ${a.status} ${a.body.slice(0, 200)}`)
      // a refusal says what was wanted: zod's bare "Invalid input" (a union none of whose options fit) does not
      else if (/Invalid input"/.test(a.body))
        failures.push(`${route} ${variant.path}: says only ${a.body.slice(0, 200)}`)
    }
  }
  return { routes, failures, sent }
}

describe('one field changed', () => {
  it('answers every analytics route with a 2xx or a named 4xx', async () => {
    const { routes, failures, sent } = await askEachChanged('/api/', admin)
    expect(routes.length).toBeGreaterThan(30)
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(3000)
  }, 300_000)

  it('answers every tracking route with a 2xx or a named 4xx, and the collector is still up', async () => {
    const { routes, failures, sent } = await askEachChanged('/v1/', basic(keys.writeKey))
    expect(routes).toEqual(expect.arrayContaining(['/v1/batch', '/v1/track', '/v1/identify', '/v1/alias']))
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(1000)
    expect((await collector.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
  }, 300_000)
})
