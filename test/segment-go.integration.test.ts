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
 * Segment's Go library (github.com/segmentio/analytics-go/v3, from the Go module proxy, as go.sum pins it), built
 * and run as a Go shop's server, pointed at the collector with the project's secret key. Its `Product` type writes
 * a line's id as `id`, the e-commerce spec's first name for it; its `Set("coupon", nil)` sends a null.
 */
const run = promisify(execFile)
const ADMIN = 'admin-key-go-0123456789abcdef'
const SECRET = 'sk_go_0123456789abcdef'
const HERE = join(import.meta.dirname, 'segment-go')

let collector: RunningCollector
let binary: string

beforeAll(async () => {
  binary = join(tempDir(), 'send-calls')
  await run('go', ['build', '-mod=readonly', '-o', binary, '.'], { cwd: HERE, timeout: 240_000 })
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'go-shop', writeKey: 'wk_go_0123456789', secretKey: SECRET }],
  }))
}, 300_000)
afterAll(async () => collector?.close())

describe("Segment's Go library, pointed at the collector", () => {
  it("stores every call it sends, and its order's lines count in the products report", async () => {
    const user = `go-${Date.now().toString(36)}`
    const { stdout } = await run(binary, [SECRET, collector.url, user], { timeout: 60_000 })
    expect(stdout.trim()).toBe('sent')

    const rows = await storedCalls(
      collector,
      ADMIN,
      user,
      6,
      'revenue, utm_source, timestamp < now() - INTERVAL 1 DAY AS back_dated',
    )
    expect(rows.map((r) => [r.type, r.event, r.source, r.library_name])).toEqual(
      [...EACH_KIND, ['track', 'Order Completed']].map((r) => [...r, 'server', 'analytics-go']),
    )
    expect(rows.find((r) => r.type === 'page')).toMatchObject({ utm_source: 'newsletter' })
    expect(rows.find((r) => r.type === 'track')).toMatchObject({ revenue: 12.5, back_dated: 1 })
    expect(await sql(collector.url, ADMIN, 'SELECT reason FROM events_rejected')).toEqual([])

    const products = await lastWeeksReport(collector, ADMIN, 'go-shop', 'products')
    expect(products.status).toBe(200)
    expect(products.body).toMatchObject({
      rows: [
        { key: 'kettle', name: 'Kettle', quantity: 1, revenue: 8.5 },
        { key: 'mug', quantity: 1, revenue: 4 },
      ],
    })
  })
})
