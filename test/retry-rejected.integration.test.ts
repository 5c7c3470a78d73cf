import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli } from './helpers/collector'
import { basic, CHROME_UA, eventually, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * Refused calls retried through a real collector: a shop's tracking plan refuses a plan it did not list yet, from
 * its pages and from its server; once the plan is put right (the projects file, without a restart), the retry
 * stores those calls as they were received, once however often it runs, and leaves what is still wrong refused.
 */
const ADMIN = 'admin-key-retry-0123456789abcdef'
const plan = (plans: string[]) => ({
  events: { 'Plan Selected': { properties: { plan: { type: 'string', enum: plans } } } },
  violations: 'refuse',
})
const SHOP = {
  id: 'shop',
  writeKey: 'tpw_retry_0123456789',
  secretKey: 'tps_retry_0123456789',
  trackingPlan: plan(['basic', 'summit']),
}
const today = new Date().toISOString().slice(0, 10)
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
const TWO_DAYS_AGO = new Date(Date.now() - 2 * 86_400_000).toISOString()

let collector: RunningCollector
let dir: string
let sentBy: number

const send = (key: string, route: string, body: unknown) =>
  post(`${collector.url}${route}`, body, { authorization: basic(key), 'user-agent': CHROME_UA })
const retry = (body: Record<string, unknown> = {}) =>
  post(
    `${collector.url}/api/rejected/retry`,
    { project: 'shop', from: today, to: tomorrow, ...body },
    { authorization: `Bearer ${ADMIN}` },
  )
const stored = () =>
  sql<Record<string, string | number>>(
    collector.url,
    ADMIN,
    `SELECT message_id, source, browser, toUnixTimestamp64Milli(timestamp) AS at, JSONExtractString(properties, 'plan') AS plan
     FROM events WHERE event = 'Plan Selected' ORDER BY source, at, message_id`,
  )

beforeAll(async () => {
  ;({ collector, dir } = await startTestCollector({ adminKey: ADMIN, projects: [SHOP] }))
  const browser = await send(SHOP.writeKey, '/v1/batch', {
    batch: [
      {
        type: 'track',
        event: 'Plan Selected',
        anonymousId: 'a-1',
        messageId: 'm-1',
        properties: { plan: 'team' },
      },
      // no event name: refused for itself, whatever the plan
      { type: 'track', anonymousId: 'a-1', messageId: 'm-2' },
    ],
  })
  expect(browser.body).toMatchObject({ accepted: 0, rejected: [{ index: 0 }, { index: 1 }] })
  // a single call, by Segment's short route, with no messageId of its own
  expect(
    (
      await send(SHOP.writeKey, '/v1/t', {
        event: 'Plan Selected',
        anonymousId: 'a-2',
        properties: { plan: 'team' },
      })
    ).status,
  ).toBe(400)
  // the shop's server, back-dating a plan chosen by phone
  const server = await send(SHOP.secretKey, '/v1/track', {
    event: 'Plan Selected',
    userId: 'u-1',
    messageId: 'm-server',
    timestamp: TWO_DAYS_AGO,
    properties: { plan: 'team' },
  })
  expect(server.status).toBe(400)
  sentBy = Date.now()
  await eventually(
    () => sql(collector.url, ADMIN, 'SELECT rejected_id FROM events_rejected'),
    (rows) => rows.length === 4,
  )
})
afterAll(async () => collector?.close())

describe('retrying refused calls', () => {
  it('counts in a dry run what the plan still refuses, and stores nothing', async () => {
    const dry = await retry({ dryRun: true })
    expect(dry.status).toBe(200)
    expect(dry.body).toMatchObject({ examined: 4, accepted: 0, stillRefused: 4, unreadable: 0 })
    expect(dry.body.reasons).toEqual([
      { path: 'properties.plan', message: 'must be one of "basic", "summit" by the tracking plan', calls: 3 },
      { path: 'event', message: 'is required (string)', calls: 1 },
    ])
  })

  it('stores what the plan put right takes, as it was received, once however often it runs', async () => {
    const file = join(dir, 'projects.json')
    const config = JSON.parse(readFileSync(file, 'utf8'))
    config.projects[0].trackingPlan = plan(['basic', 'summit', 'team'])
    writeFileSync(file, JSON.stringify(config))
    // the collector reads the projects file again by itself
    const dry = await eventually(
      () => retry({ dryRun: true }),
      (r) => r.body.accepted === 3,
    )
    expect(dry.body).toMatchObject({ dryRun: true, examined: 4, stillRefused: 1 })
    await new Promise((r) => setTimeout(r, 1500))
    expect(await stored()).toEqual([])

    const cli = await runCli(['retry-rejected', '--project', 'shop', '--from', today, '--to', tomorrow], {
      TOUCHPOINT_DATA_DIR: dir,
      TOUCHPOINT_URL: collector.url,
      TOUCHPOINT_ADMIN_KEY: ADMIN,
      TOUCHPOINT_CONFIG: file,
    })
    expect(cli).toMatchObject({ code: 0, stderr: '' })
    expect(cli.stdout).toBe(
      `4 refused calls of shop received from ${today} to ${tomorrow}: 3 accepted and stored, 1 still refused\n` +
        'Still refused, the commonest reasons first:\n  1  event: is required (string)\n',
    )
    const rows = await eventually(stored, (r) => r.length === 3)
    // a browser's calls stay a browser's, at the time they were received, not the retry's; the single call without
    // a messageId has its refusal's id for one; the server's keeps its own time, two days back
    expect(rows).toMatchObject([
      { message_id: 'm-1', source: 'browser', browser: 'Chrome', plan: 'team' },
      { message_id: expect.stringMatching(/^[0-9a-f-]{36}$/), source: 'browser', browser: 'Chrome' },
      { message_id: 'm-server', source: 'server', at: Date.parse(TWO_DAYS_AGO) },
    ])
    for (const r of rows.filter((r) => r.source === 'browser'))
      expect(Number(r.at)).toBeLessThanOrEqual(sentBy)

    // again: each call is stored once (its messageId), and the refusal still on record is not recorded again
    expect((await retry()).body).toMatchObject({ examined: 4, accepted: 3, stillRefused: 1 })
    await new Promise((r) => setTimeout(r, 1500))
    expect(await stored()).toHaveLength(3)
    expect(await sql(collector.url, ADMIN, 'SELECT rejected_id FROM events_rejected')).toHaveLength(4)
  })

  it('refuses an unknown project, and a range that ends where it begins', async () => {
    expect((await retry({ project: 'nope' })).body).toMatchObject({ code: 'TP_ERR_UNKNOWN_PROJECT' })
    expect((await retry({ to: today })).body).toMatchObject({ code: 'TP_ERR_INVALID_BODY', path: 'to' })
    const anonymous = await post(`${collector.url}/api/rejected/retry`, {
      project: 'shop',
      from: today,
      to: tomorrow,
    })
    expect(anonymous.status).toBe(401)
  })
})
