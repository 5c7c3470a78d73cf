import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli } from './helpers/collector'
import { basic, CHROME_UA, eventually, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * A project's tracking plan through a real collector: the shop refuses what breaks its plan, the blog stores it
 * and notes the violation; the plan report and a draft plan are read back over HTTP and through a CLI process.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const selected = {
  properties: {
    plan: { type: 'string', required: true, enum: ['basic', 'summit'] },
    seats: { type: 'integer', minimum: 1 },
    // a pattern JavaScript's backtracking engine takes exponential time on, against a crafted value
    note: { type: 'string', pattern: '^(\\w+\\s?)+$' },
  },
}
const SHOP = {
  id: 'shop',
  writeKey: 'tpw_shop_0123456789',
  trackingPlan: { events: { 'Plan Selected': selected }, violations: 'refuse' },
}
const BLOG = {
  id: 'blog',
  writeKey: 'tpw_blog_0123456789',
  trackingPlan: {
    events: { 'Plan Selected': selected },
    traits: { email: { type: 'string', required: true } },
    allowUnplannedEvents: false,
  },
}
// a cart's lines, each of which must name its product
const STORE = {
  id: 'store',
  writeKey: 'tpw_store_0123456789',
  trackingPlan: {
    events: {
      'Cart Viewed': {
        properties: {
          lines: {
            type: 'array',
            items: { type: 'object', properties: { sku: { type: 'string', required: true } } },
          },
        },
      },
    },
    violations: 'refuse',
  },
}
let collector: RunningCollector
let dir: string
let env: Record<string, string>
const today = new Date().toISOString().slice(0, 10)
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

beforeAll(async () => {
  const started = await startTestCollector({ adminKey: ADMIN, projects: [SHOP, BLOG, STORE] })
  collector = started.collector
  dir = started.dir
  env = {
    TOUCHPOINT_DATA_DIR: dir,
    TOUCHPOINT_URL: collector.url,
    TOUCHPOINT_ADMIN_KEY: ADMIN,
    TOUCHPOINT_CONFIG: join(dir, 'projects.json'),
  }
})
afterAll(async () => collector?.close())

const send = (key: string, route: string, body: unknown) =>
  post(`${collector.url}${route}`, body, { authorization: basic(key), 'user-agent': CHROME_UA })
const track = (messageId: string, properties: Record<string, unknown>, event = 'Plan Selected') => ({
  anonymousId: 'a-1',
  messageId,
  event,
  properties,
  context: { page: { url: 'https://blog.example/pricing?email=jo@example.com' } },
})
const stored = (project: string, messageId: string) =>
  sql(
    collector.url,
    ADMIN,
    'SELECT event FROM events WHERE project_id = {p:String} AND message_id = {m:String}',
    {
      p: project,
      m: messageId,
    },
  )
const kept = (project: string) =>
  sql<{ rejected_id: string; error_code: string; reason: string; raw: string }>(
    collector.url,
    ADMIN,
    'SELECT rejected_id, error_code, reason, raw FROM events_rejected WHERE project_id = {p:String} ORDER BY received_at',
    { p: project },
  )
const planReport = (project: string) =>
  post(
    `${collector.url}/api/reports/plan`,
    { project, from: today, to: tomorrow },
    { authorization: `Bearer ${ADMIN}` },
  )

describe('a tracking plan that refuses', () => {
  it('answers a call that breaks it with a 400 naming the field, and keeps it with its reason', async () => {
    const res = await send(SHOP.writeKey, '/v1/track', track('shop-1', { plan: 'gold', seats: 0 }))
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({
      code: 'TP_ERR_TRACKING_PLAN',
      path: 'properties.plan',
      message: 'properties.plan: must be one of "basic", "summit" by the tracking plan',
      issues: [
        { path: 'properties.plan', message: 'must be one of "basic", "summit" by the tracking plan' },
        { path: 'properties.seats', message: 'must be at least 1 by the tracking plan' },
      ],
    })
    const rows = await eventually(
      () => kept('shop'),
      (r) => r.length === 1,
    )
    expect(rows[0]).toMatchObject({ error_code: 'TP_ERR_TRACKING_PLAN' })
    expect(JSON.parse(rows[0]!.reason)).toEqual(res.body.issues)
    expect(await stored('shop', 'shop-1')).toEqual([])
  })

  it("checks the items of a list: a cart's lines, naming the line, and the report counts them as one field", async () => {
    const cart = (messageId: string, lines: unknown[]) =>
      send(STORE.writeKey, '/v1/track', track(messageId, { lines }, 'Cart Viewed'))
    const res = await cart('store-1', [{ sku: 'boot' }, { price: 5 }])
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({
      code: 'TP_ERR_TRACKING_PLAN',
      path: 'properties.lines[1].sku',
      issues: [{ path: 'properties.lines[1].sku', message: 'is required by the tracking plan (string)' }],
    })
    // two lines without one: the event counts once under the field
    expect((await cart('store-2', [{ price: 1 }, { price: 2 }])).status).toBe(400)
    expect((await cart('store-3', [{ sku: 'boot' }])).status).toBe(200)
    const report = await eventually(
      () =>
        post(
          `${collector.url}/api/reports/plan`,
          { project: 'store', from: today, to: tomorrow },
          { authorization: `Bearer ${ADMIN}` },
        ),
      // the rows and the total are two queries side by side: wait for a read after both refusals loaded
      (r) => r.body.total?.refused === 2 && r.body.rows?.[0]?.refused === 2,
    )
    expect(report.body.rows).toMatchObject([
      { event: 'Cart Viewed', field: 'properties.lines[].sku', stored: 0, refused: 2 },
    ])
  })

  it('checks a pattern in time that grows with the value alone, whatever the pattern', async () => {
    const started = Date.now()
    const res = await send(
      SHOP.writeKey,
      '/v1/track',
      track('shop-redos', { plan: 'basic', note: `${'a'.repeat(40)}!` }),
    )
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code: 'TP_ERR_TRACKING_PLAN', path: 'properties.note' })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('is refused at start when a pattern is not one the linear-time engine runs', async () => {
    const plan = { events: { E: { properties: { a: { pattern: '(a)\\1' } } } } }
    await expect(
      startTestCollector({ adminKey: ADMIN, projects: [{ ...SHOP, trackingPlan: plan }] }),
    ).rejects.toThrow(
      /projects\.0\.trackingPlan\.events\.E\.properties\.a\.pattern: not a pattern the linear-time engine runs/,
    )
  })

  it('takes a batch event by event: the ones that keep to it are stored', async () => {
    const res = await send(SHOP.writeKey, '/v1/batch', {
      batch: [
        { type: 'track', ...track('shop-2', { plan: 'basic', seats: 2 }) },
        { type: 'track', ...track('shop-3', { seats: 2 }) },
        { type: 'track', ...track('shop-4', { anything: 1 }, 'Video Played') },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      success: true,
      accepted: 2,
      rejected: [
        {
          index: 1,
          messageId: 'shop-3',
          code: 'TP_ERR_TRACKING_PLAN',
          issues: [{ path: 'properties.plan', message: 'is required by the tracking plan (string)' }],
        },
      ],
    })
    await eventually(
      () => stored('shop', 'shop-4'),
      (r) => r.length === 1,
    )
    expect(await stored('shop', 'shop-2')).toHaveLength(1)
    expect(await stored('shop', 'shop-3')).toEqual([])
  })
})

describe('a tracking plan that reports', () => {
  it('stores the event, and keeps its violation once, redacted as the event is stored', async () => {
    for (let i = 0; i < 2; i++) {
      // the same call retried: stored once, its violation counted once
      const res = await send(BLOG.writeKey, '/v1/track', track('blog-1', { seats: 3 }))
      expect(res.status).toBe(200)
    }
    expect((await send(BLOG.writeKey, '/v1/track', track('blog-2', {}, 'Plan Chosen'))).status).toBe(200)
    expect(
      (await send(BLOG.writeKey, '/v1/identify', { anonymousId: 'a-1', messageId: 'blog-3' })).status,
    ).toBe(200)
    await eventually(
      () => stored('blog', 'blog-3'),
      (r) => r.length === 1,
    )
    expect(await stored('blog', 'blog-1')).toHaveLength(1)
    expect(await stored('blog', 'blog-2')).toHaveLength(1)
    // the retry's violation is loaded once, as the retry is
    const rows = await eventually(
      () => kept('blog'),
      (r) => r.length >= 3,
    )
    expect(rows.map((r) => [r.error_code, JSON.parse(r.reason)[0].path])).toEqual([
      ['TP_PLAN_VIOLATION', 'properties.plan'],
      ['TP_PLAN_VIOLATION', 'event'],
      ['TP_PLAN_VIOLATION', 'traits.email'],
    ])
    expect(rows[0]!.raw).toContain('https://blog.example/pricing?email=(redacted)')
    expect(rows.map((r) => r.raw).join('\n')).not.toContain('jo@example.com')

    const report = await planReport('blog')
    expect(report.status).toBe(200)
    expect(report.body.rows.map((r: any) => [r.event, r.field, r.stored, r.refused])).toEqual([
      ['(identify)', 'traits.email', 1, 0],
      ['Plan Chosen', 'event', 1, 0],
      ['Plan Selected', 'properties.plan', 1, 0],
    ])
    expect(report.body.total).toEqual({ stored: 3, refused: 0, rows: 3 })
    const refusals = await post(
      `${collector.url}/api/reports/rejected`,
      { project: 'blog', from: today, to: tomorrow },
      { authorization: `Bearer ${ADMIN}` },
    )
    expect(refusals.body.total.refused).toBe(0)
  })

  it('refuses once the projects file says so, without a restart', async () => {
    const file = join(dir, 'projects.json')
    const config = JSON.parse(readFileSync(file, 'utf8'))
    config.projects[1].trackingPlan.violations = 'refuse'
    writeFileSync(file, JSON.stringify(config))
    let n = 0
    const res = await eventually(
      () => send(BLOG.writeKey, '/v1/track', track(`blog-reload-${n++}`, {}, 'Plan Chosen')),
      (r) => r.status === 400,
    )
    expect(res.body).toMatchObject({
      code: 'TP_ERR_TRACKING_PLAN',
      path: 'event',
      message: 'event: "Plan Chosen" is not in the tracking plan',
    })
  })
})

describe('the CLI', () => {
  it('prints the plan report, and drafts a plan from what was stored that the projects file takes', async () => {
    const range = ['--from', today, '--to', tomorrow]
    const report = await runCli(['report', 'plan', '--project', 'shop', ...range], env)
    expect(report.stderr).toBe('')
    expect(report.stdout).toMatch(
      /^0 events stored with a violation noted and 3 events refused by the tracking plan/,
    )
    expect(report.stdout).toMatch(/\nPlan Selected\s+properties\.plan\s+0\s+2\s/)
    expect(report.stdout).toMatch(/\nPlan Selected\s+properties\.seats\s+0\s+1\s/)
    expect(report.stdout).toMatch(/\nPlan Selected\s+properties\.note\s+0\s+1\s/)

    const draft = await runCli(['plan', 'draft', '--project', 'shop', ...range], env)
    expect(draft.stderr).toBe('')
    const plan = JSON.parse(draft.stdout)
    expect(plan.events['Plan Selected'].properties).toEqual({
      plan: { type: 'string', required: true },
      seats: { type: 'integer', required: true },
    })
    expect(plan.events['Video Played'].properties).toEqual({ anything: { type: 'integer', required: true } })
    // the draft, as the shop's plan, is taken by the collector at its next reload, and the shop's calls keep to it
    const file = join(dir, 'projects.json')
    const config = JSON.parse(readFileSync(file, 'utf8'))
    config.projects[0].trackingPlan = { ...plan, allowUnplannedEvents: false, violations: 'refuse' }
    writeFileSync(file, JSON.stringify(config))
    let n = 0
    await eventually(
      () => send(SHOP.writeKey, '/v1/track', track(`shop-draft-${n++}`, { anything: 1 }, 'Signed Up')),
      (r) => r.status === 400,
    )
    expect(
      (await send(SHOP.writeKey, '/v1/track', track('shop-draft-ok', { plan: 'x', seats: 9 }))).status,
    ).toBe(200)
  })

  it('tries the project’s plan, or one from a file, on the stored events', async () => {
    const range = ['--from', today, '--to', tomorrow]
    // every call stored for the shop, the last the one its draft let through
    await eventually(
      () => stored('shop', 'shop-draft-ok'),
      (r) => r.length === 1,
    )
    // the draft made the shop's plan: of its stored calls, only the Signed Up ones sent before the collector took
    // that plan up (the test above sends until refused) break it, as unplanned
    const counts = await sql<{ calls: string; unplanned: string }>(
      collector.url,
      ADMIN,
      "SELECT count() AS calls, countIf(event = 'Signed Up') AS unplanned FROM events WHERE project_id = 'shop'",
    )
    const [calls, unplanned] = [Number(counts[0]!.calls), Number(counts[0]!.unplanned)]
    const own = await runCli(['plan', 'check', '--project', 'shop', ...range], env)
    expect(own.stderr).toBe('')
    expect(own.stdout).toMatch(
      new RegExp(
        `^${unplanned} of the ${calls} track and identify calls checked break the project's trackingPlan`,
      ),
    )
    if (unplanned)
      expect(own.stdout).toMatch(/\nSigned Up\s+event\s+\d+\s+"Signed Up" is not in the tracking plan/)
    const file = join(dir, 'stricter.json')
    writeFileSync(
      file,
      JSON.stringify({ events: { 'Plan Selected': { properties: { plan: { enum: ['basic'] } } } } }),
    )
    const stricter = await runCli(['plan', 'check', '--project', 'shop', '--file', file, ...range], env)
    expect(stricter.stderr).toBe('')
    // the stricter plan names no other event and allows unplanned ones: only the draft's own call breaks it
    expect(stricter.stdout).toMatch(
      new RegExp(`^1 of the ${calls} track and identify calls checked break .*stricter\\.json; with`),
    )
    expect(stricter.stdout).toMatch(
      /\nPlan Selected\s+properties\.plan\s+1\s+must be one of "basic" by the tracking plan/,
    )
    const json = JSON.parse(
      (await runCli(['plan', 'check', '--project', 'blog', '--json', ...range], env)).stdout,
    )
    expect(json).toMatchObject({ checked: expect.any(Number), breaking: expect.any(Number) })
    expect(json.rows.map((r: { field: string }) => r.field).sort()).toEqual([
      'event',
      'properties.plan',
      'traits.email',
    ])
  })
})
