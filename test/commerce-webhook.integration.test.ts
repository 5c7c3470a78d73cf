import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { orderCalls, refundCall, type ShopifyOrder, verifyShopify } from '../examples/commerce/shopify'
import type { RunningCollector } from '../services/collector/src/server'
import { freePort, keysIn, ROOT, runCli } from './helpers/collector'
import { basic, CHROME_UA, eventually, post } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * A Shopify store's order webhooks as examples/commerce/shopify.ts maps them: an order and a partial refund, each
 * delivered twice (Shopify retries), reach a real collector; the orders report counts the refund once, the profile
 * finds it under the customer although its webhook names none, and attribution credits what the order kept.
 */
let collector: RunningCollector | undefined
let dir = ''
beforeAll(async () => {
  ;({ collector, dir } = await startTestCollector())
})
afterAll(async () => collector?.close())

const SECRET = 'shpss_test'
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('base64')

it("takes only a body the shop's secret signs", () => {
  const body = JSON.stringify({ id: 1 })
  expect(verifyShopify(Buffer.from(body), sign(body), SECRET)).toBe(true)
  expect(verifyShopify(body.replace('1', '2'), sign(body), SECRET)).toBe(false)
  expect(verifyShopify(body, sign(body), 'another secret')).toBe(false)
  expect(verifyShopify(body, undefined, SECRET)).toBe(false)
  expect(verifyShopify(body, 'not base64 of a digest', SECRET)).toBe(false)
})

it('records an order and its refund once each, under the customer, and the reports net them', async () => {
  const project = JSON.parse(readFileSync(join(dir, 'touchpoint.json'), 'utf8')).projects[0]
  const keys = keysIn(dir)
  const tp = new Touchpoint({ secretKey: keys.secretKey, host: collector!.url })
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString()
  const order: ShopifyOrder = {
    id: 820982911946154500,
    created_at: hoursAgo(2),
    currency: 'EUR',
    total_price: '120.00',
    source_name: 'web',
    customer: { id: 115310627314723950 },
    note_attributes: [{ name: 'tp_anonymous_id', value: 'browser-1' }],
    discount_codes: [{ code: 'SPRING10' }],
    line_items: [
      { product_id: 632910392, sku: 'KETTLE', title: 'Kettle', quantity: 2, price: '35.00' },
      { product_id: 921728736, title: 'Mug', quantity: 1, price: '50.00' },
    ],
  }
  const { order: completed, link } = orderCalls(order)
  expect(JSON.stringify(completed)).not.toContain('@')
  const refund = refundCall({
    id: 509562969,
    order_id: order.id,
    created_at: hoursAgo(1),
    transactions: [
      { kind: 'refund', status: 'success', amount: '30.00', currency: 'EUR' },
      { kind: 'refund', status: 'failure', amount: '90.00', currency: 'EUR' },
    ],
    // one of the two kettles came back (30 refunded of its 35: the shop kept a fee)
    refund_line_items: [{ quantity: 1, line_item: order.line_items![0]! }],
  })
  // a refund that gave no money back (items restocked only) is no refund
  expect(refundCall({ id: 2, order_id: order.id, created_at: hoursAgo(1), transactions: [] })).toBeNull()
  for (let delivery = 0; delivery < 2; delivery++) {
    tp.identify(link!)
    tp.orderCompleted(completed)
    tp.orderRefunded(refund!)
  }
  await tp.close()
  // the visit that led to it: tp.js in the shop's pages, from the newsletter
  const visit = {
    type: 'page',
    anonymousId: 'browser-1',
    properties: {
      path: '/kettle',
      url: 'https://shop.example/kettle?utm_source=newsletter&utm_medium=email',
    },
    context: { sessionId: 's-1', campaign: { source: 'newsletter', medium: 'email', name: 'spring' } },
    timestamp: hoursAgo(3),
  }
  await post(
    `${collector!.url}/v1/batch`,
    { batch: [visit] },
    {
      authorization: basic(keys.writeKey),
      'user-agent': CHROME_UA,
    },
  )

  const api = (path: string, body: Record<string, unknown>) =>
    post(`${collector!.url}/api/${path}`, body, { authorization: `Bearer ${keys.adminKey}` })
  const range = { project: project.id, from: hoursAgo(24), to: new Date(Date.now() + 60_000).toISOString() }
  const orders = await eventually(
    () => api('reports/orders', range),
    (r) => r.body.orders === 1 && r.body.refunds?.refunds === 1,
  )
  expect(orders.body).toMatchObject({
    revenue: 120,
    refunds: { refunds: 1, orders: 1, amount: 30 },
    netRevenue: 90,
  })
  const profile = await api('profile', { project: project.id, person: String(order.customer!.id) })
  expect(profile.body.orders).toMatchObject({
    count: 1,
    revenue: 120,
    refunds: 1,
    refunded: 30,
    netRevenue: 90,
  })
  expect(profile.body.anonymousIds).toEqual(
    expect.arrayContaining(['browser-1', `shopify-order-${order.id}`]),
  )
  // the products report: which line came back
  const sold = await api('reports/products', range)
  expect(sold.body.rows).toMatchObject([
    { key: '632910392', name: 'Kettle', quantity: 2, returned: 1, refunded: 35, returnRate: 0.5 },
    { key: '921728736', name: 'Mug', quantity: 1, returned: 0 },
  ])
  const credited = await api('attribution', {
    ...range,
    conversion: { event: 'Order Completed' },
    model: 'last_touch',
    netOfRefunds: true,
  })
  expect(credited.body).toMatchObject({ conversions: 1, revenue: 90 })
  expect(credited.body.models[0].rows).toMatchObject([{ key: 'Email', conversions: 1, revenue: 90 }])
})

/** examples/commerce/webhook.ts as a process of its own, reading the keys of `config`; stopped by `stop()`. */
async function webhookServer(config: string) {
  const port = await freePort()
  const server = spawn(process.execPath, ['--import', 'tsx', 'examples/commerce/webhook.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SHOPIFY_WEBHOOK_SECRET: SECRET,
      SHOP_WEBHOOK_PORT: String(port),
      TOUCHPOINT_CONFIG: config,
      TOUCHPOINT_URL: collector!.url,
    },
    stdio: 'ignore',
  })
  const deliver = (topic: string, body: string, hmac = sign(body)) =>
    fetch(`http://127.0.0.1:${port}/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': hmac,
      },
      body,
    }).then(async (r) => ({ status: r.status, text: await r.text() }))
  // listening once it answers at all
  await eventually(
    () => deliver('orders/create', '{}', 'forged').catch(() => ({ status: 0, text: '' })),
    (r) => r.status !== 0,
  )
  return { deliver, stop: () => server.kill() }
}

const shopOrder = (id: number, customer: number) =>
  JSON.stringify({
    id,
    created_at: new Date(Date.now() - 600_000).toISOString(),
    currency: 'EUR',
    total_price: '45.50',
    source_name: 'pos',
    location_id: 99,
    customer: { id: customer },
    line_items: [{ product_id: 1, title: 'Teapot', quantity: 1, price: '45.50' }],
  })

const profileOf = (person: string) =>
  post(
    `${collector!.url}/api/profile`,
    { project: 'dev', person },
    { authorization: `Bearer ${keysIn(dir).adminKey}` },
  )

it('examples/commerce/webhook.ts refuses a body its signature does not sign, records a signed order, and follows a key rotation', async () => {
  const server = await webhookServer(join(dir, 'touchpoint.json'))
  try {
    const order = shopOrder(7001, 555)
    expect((await server.deliver('orders/create', order, 'forged')).status).toBe(401)
    expect((await server.deliver('orders/create', order)).status).toBe(200)
    const profile = await eventually(
      () => profileOf('555'),
      (r) => r.status === 200,
    )
    // the signed delivery recorded the order and its link to the customer; the forged one nothing
    expect(profile.body.orders).toMatchObject({ count: 1, revenue: 45.5 })
    expect(profile.body.timeline.map((t: { event: string }) => t.event)).toEqual([
      'Identify',
      'Order Completed',
    ])

    // the secret key rotated and the old one retired while the server runs: once the collector refuses the old
    // key, the next order is recorded with the new one
    const old = keysIn(dir).secretKey
    const env = cliEnvOf({ collector: collector!, dir })
    for (const step of ['rotate', 'retire'])
      expect((await runCli(['keys', step, '--kind', 'secret'], env)).code).toBe(0)
    await eventually(
      () =>
        post(`${collector!.url}/v1/track`, { userId: 'u', event: 'Probe' }, { authorization: basic(old) }),
      (r) => r.status === 401,
    )
    expect((await server.deliver('orders/create', shopOrder(7002, 556))).status).toBe(200)
    const next = await eventually(
      () => profileOf('556'),
      (r) => r.status === 200,
    )
    expect(next.body.orders).toMatchObject({ count: 1, revenue: 45.5 })
  } finally {
    server.stop()
  }
})

it('examples/commerce/webhook.ts answers 503 when the collector does not take its calls, so Shopify sends them again', async () => {
  const file = JSON.parse(readFileSync(join(dir, 'touchpoint.json'), 'utf8'))
  file.projects[0].secretKey = 'tps_no_project_has_this_key'
  const config = join(dir, 'stale-keys.json')
  writeFileSync(config, JSON.stringify(file))
  const server = await webhookServer(config)
  try {
    const answer = await server.deliver('orders/create', shopOrder(7003, 557))
    expect(answer.status).toBe(503)
    expect(answer.text).toMatch(/^not recorded, send it again: HTTP 401/)
    const profile = await profileOf('557')
    expect(profile.status).toBe(404)
  } finally {
    server.stop()
  }
})
