import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli as cli, freePort } from '../../../test/helpers/collector'
import { basic, eventually, post } from '../../../test/helpers/http'
import { startTestCollector } from '../../../test/helpers/in-process'
import type { RunningCollector } from './server'

/**
 * A business in Los Angeles asks for Black Friday: over HTTP and from the CLI, a date-only range is that day in
 * the project's time zone, unless the request names another.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const SHOP = {
  id: 'shop',
  writeKey: 'tpw_shop_0123456789',
  secretKey: 'tps_shop_0123456789abcdef',
  timezone: 'America/Los_Angeles',
}
let collector: RunningCollector | undefined
let dir: string
const friday = { project: 'shop', from: '2026-11-27', to: '2026-11-28' }
const api = (path: string, body: unknown) =>
  post(`${collector!.url}${path}`, body, { authorization: `Bearer ${ADMIN}` })

beforeAll(async () => {
  const started = await startTestCollector({ adminKey: ADMIN, projects: [SHOP] })
  collector = started.collector
  dir = started.dir
  // back-dated with the secret key: 23:30 on Thursday, 01:00 and 23:30 on Friday, in Los Angeles
  const order = (at: string, revenue: number) => ({
    type: 'track',
    event: 'Order Completed',
    userId: `u-${revenue}`,
    messageId: `order-${revenue}`,
    timestamp: at,
    properties: { revenue, currency: 'USD' },
  })
  const batch = [
    order('2026-11-27T07:30:00Z', 1),
    order('2026-11-27T09:00:00Z', 10),
    order('2026-11-28T07:30:00Z', 100),
  ]
  expect(
    (await post(`${collector.url}/v1/batch`, { batch }, { authorization: basic(SHOP.secretKey) })).status,
  ).toBe(200)
  await eventually(
    () => api('/api/reports/orders', { ...friday, from: '2026-11-26', to: '2026-11-29' }),
    (r) => r.status === 200 && r.body.orders === 3,
  )
})
afterAll(async () => collector?.close())

describe("date-only ranges in the project's time zone", () => {
  it('over HTTP, unless the request names a time zone', async () => {
    expect((await api('/api/reports/orders', friday)).body).toMatchObject({ orders: 2, revenue: 110 })
    expect((await api('/api/reports/orders', { ...friday, timezone: 'UTC' })).body).toMatchObject({
      revenue: 11,
    })
    const steps = [{ event: 'Order Completed' }]
    expect((await api('/api/funnel', { ...friday, steps })).body.steps[0].people).toBe(2)
    const attribution = await api('/api/attribution', { ...friday, conversion: { event: 'Order Completed' } })
    expect(attribution.body).toMatchObject({ conversions: 2, revenue: 110 })
  })

  it('in the CLI, from the collector and from the data directory alone', async () => {
    const env = {
      TOUCHPOINT_DATA_DIR: dir,
      TOUCHPOINT_CONFIG: `${dir}/projects.json`,
      TOUCHPOINT_ADMIN_KEY: ADMIN,
    }
    const args = ['report', 'orders', '--project', 'shop', '--from', friday.from, '--to', friday.to, '--json']
    const viaCollector = await cli(args, { ...env, TOUCHPOINT_URL: collector!.url })
    expect(JSON.parse(viaCollector.stdout)).toMatchObject({ orders: 2, revenue: 110 })
    const utc = await cli([...args, '--timezone', 'UTC'], { ...env, TOUCHPOINT_URL: collector!.url })
    expect(JSON.parse(utc.stdout)).toMatchObject({ revenue: 11 })
    await collector?.close()
    collector = undefined
    const alone = await cli(args, { ...env, TOUCHPOINT_URL: `http://127.0.0.1:${await freePort()}` })
    expect(alone.stderr).toBe('')
    expect(JSON.parse(alone.stdout)).toMatchObject({ orders: 2, revenue: 110 })
  })
})
