import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { orderCalls, refundCall, type ShopifyOrder, verifyShopify } from '../examples/commerce/shopify'
import type { RunningCollector } from '../services/collector/src/server'
import { freePort, keysIn, ROOT } from './helpers/collector'
import { basic, CHROME_UA, eventually, post } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

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

it('examples/commerce/webhook.ts refuses a body its signature does not sign, and records a signed order', async () => {
  const port = await freePort()
  const server = spawn(process.execPath, ['--import', 'tsx', 'examples/commerce/webhook.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SHOPIFY_WEBHOOK_SECRET: SECRET,
      SHOP_WEBHOOK_PORT: String(port),
      TOUCHPOINT_CONFIG: join(dir, 'touchpoint.json'),
      TOUCHPOINT_URL: collector!.url,
    },
    stdio: 'ignore',
  })
  try {
    const url = `http://127.0.0.1:${port}/shopify`
    const deliver = (topic: string, body: string, hmac = sign(body)) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-hmac-sha256': hmac,
        },
        body,
      }).then((r) => r.status)
    const order = JSON.stringify({
      id: 7001,
      created_at: new Date(Date.now() - 600_000).toISOString(),
      currency: 'EUR',
      total_price: '45.50',
      source_name: 'pos',
      location_id: 99,
      customer: { id: 555 },
      line_items: [{ product_id: 1, title: 'Teapot', quantity: 1, price: '45.50' }],
    })
    await eventually(
      () => deliver('orders/create', order, 'forged').catch(() => 0),
      (status) => status !== 0,
    )
    expect(await deliver('orders/create', order, 'forged')).toBe(401)
    expect(await deliver('orders/create', order)).toBe(200)
    const keys = keysIn(dir)
    const profile = await eventually(
      () =>
        post(
          `${collector!.url}/api/profile`,
          { project: 'dev', person: '555' },
          {
            authorization: `Bearer ${keys.adminKey}`,
          },
        ),
      (r) => r.status === 200,
    )
    // the signed delivery recorded the order and its link to the customer; the forged one nothing
    expect(profile.body.orders).toMatchObject({ count: 1, revenue: 45.5 })
    expect(profile.body.timeline.map((t: { event: string }) => t.event)).toEqual([
      'Identify',
      'Order Completed',
    ])
  } finally {
    server.kill()
  }
})
