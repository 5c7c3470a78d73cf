import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { tempDir } from './helpers/collector'
import { sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'
import { EACH_KIND, lastWeeksReport, storedCalls } from './helpers/segment-library'

/**
 * Segment's Python library (segment-analytics-python, from PyPI, in a virtual environment of its own), pointed at
 * the collector with the project's secret key: a Python shop's server. It sends a None as null: a page without a
 * name, an order's missing coupon. The collector answers a batch 200 whatever it refuses in it, so the library
 * reports nothing either way: what was stored is what tells.
 */
const run = promisify(execFile)
const ADMIN = 'admin-key-python-0123456789abcdef'
const SECRET = 'sk_python_0123456789abcdef'
const HERE = join(import.meta.dirname, 'segment-python')

let collector: RunningCollector
let python: string

beforeAll(async () => {
  const venv = join(tempDir(), 'venv')
  await run('python3', ['-m', 'venv', venv])
  python = join(venv, 'bin', 'python')
  await run(
    python,
    ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', join(HERE, 'requirements.txt')],
    {
      timeout: 240_000,
    },
  )
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'python-shop', writeKey: 'wk_python_0123456', secretKey: SECRET }],
  }))
}, 300_000)
afterAll(async () => collector?.close())

describe("Segment's Python library, pointed at the collector", () => {
  it('stores every call it sends, its nulls taken as not sent, and its orders count in the reports', async () => {
    const user = `py-${Date.now().toString(36)}`
    const { stdout } = await run(python, [join(HERE, 'send_calls.py'), SECRET, collector.url, user], {
      timeout: 60_000,
    })
    expect(stdout.trim()).toBe('sent')

    const rows = await storedCalls(
      collector,
      ADMIN,
      user,
      8,
      `revenue, currency, utm_source, JSONExtractString(properties, 'orderId') AS order_id,
       JSONExtractString(traits, 'plan') AS plan`,
    )
    expect(rows.map((r) => [r.type, r.event, r.source, r.library_name])).toEqual(
      [
        ...EACH_KIND,
        ['track', 'Order Completed'],
        ['track', 'Order Completed'],
        ['track', 'Support Ticket Opened'],
      ].map((r) => [...r, 'server', 'analytics-python']),
    )
    expect(rows.find((r) => r.type === 'page')).toMatchObject({ utm_source: 'newsletter' })
    expect(rows.find((r) => r.type === 'identify')).toMatchObject({ plan: 'pro' })
    expect(rows.filter((r) => r.event === 'Order Completed')).toMatchObject([
      { order_id: '50314', revenue: 30.5, currency: 'EUR' },
      { order_id: '1235', revenue: 12.5, currency: 'EUR' },
    ])
    expect(await sql(collector.url, ADMIN, 'SELECT reason FROM events_rejected')).toEqual([])

    const orders = await lastWeeksReport(collector, ADMIN, 'python-shop', 'orders')
    expect(orders.status).toBe(200)
    expect(orders.body).toMatchObject({ orders: 2, revenue: 43 })
    const products = await lastWeeksReport(collector, ADMIN, 'python-shop', 'products')
    expect(products.status).toBe(200)
    expect(products.body).toMatchObject({ rows: [{ key: '507', quantity: 2, revenue: 30.5 }] })
  })
})
