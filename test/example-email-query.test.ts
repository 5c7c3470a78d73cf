import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { emailReport } from '../packages/analytics/src/reports/email'
import {
  type Fixture,
  type FixtureEvent,
  openFixture,
  PROJECT,
} from '../packages/analytics/src/testing/fixture'
import { ROOT } from './helpers/collector'

/** examples/queries/email-campaigns.sql counts what /api/reports/email counts, on the same email events. */
const T0 = Date.UTC(2026, 5, 2, 9)
const MIN = 60_000
const email = (event: string, user: string, emailId: string, at: number, props = {}, campaignId = 'june') =>
  ({ event, user, at, source: 'email', properties: { campaignId, emailId, ...props } }) satisfies FixtureEvent

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const recipients = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']
  await fx.events([
    ...recipients.map((r) => email('Email Sent', r, `m-${r}`, T0)),
    email('Email Opened', 'r1', 'm-r1', T0 + 30 * MIN, { machine: false }),
    email('Email Opened', 'r1', 'm-r1', T0 + 40 * MIN, { machine: false }),
    email('Email Opened', 'r2', 'm-r2', T0 + 1000, { machine: true }),
    email('Email Clicked', 'r1', 'm-r1', T0 + 41 * MIN, { scanner: false, linkId: 'a' }),
    email('Email Clicked', 'r3', 'm-r3', T0 + 2000, { scanner: true, linkId: 'a' }),
    email('Email Bounced', 'r5', 'm-r5', T0 + 1000, { bounceType: 'hard' }),
    email('Email Bounced', 'r6', 'm-r6', T0 + 1000, { bounceType: 'soft' }),
    email('Email Marked as Spam', 'r4', 'm-r4', T0 + 60 * MIN),
    email('Email Unsubscribed', 'r4', 'm-r4', T0 + 61 * MIN),
    email('Email Unsubscribed', 'r4', 'm-r4', T0 + 62 * MIN),
    email('Email Sent', 'r1', 'x-r1', T0, {}, 'other'),
    // sends not recorded: no rate on sent, in the SQL as in the API
    email('Email Opened', 'r2', 'u-r2', T0 + 5 * MIN, { machine: false }, 'unsent'),
  ])
})
afterAll(async () => fx?.close())

it('email-campaigns.sql counts what /api/reports/email counts', async () => {
  const query = readFileSync(join(ROOT, 'examples/queries/email-campaigns.sql'), 'utf8')
  const rs = await fx.ch.readonly.query({
    query,
    query_params: { project: PROJECT, from: '2026-06-01 00:00:00.000', to: '2026-06-15 00:00:00.000' },
    format: 'JSONEachRow',
  })
  const rows = (await rs.json()) as Array<Record<string, unknown>>
  const api = await emailReport(fx.reader, { project: PROJECT, from: '2026-06-01', to: '2026-06-15' })
  expect(rows.map((r) => r.campaign)).toEqual(api.map((c) => c.campaign))
  const june = api.find((c) => c.campaign === 'june')!
  expect(june).toMatchObject({ sent: 6, uniqueOpens: 1, uniqueClicks: 1, bounces: 2, hardBounces: 1 })
  expect(api.find((c) => c.campaign === 'unsent')).toMatchObject({ sent: 0, uniqueOpens: 1, openRate: null })
  for (const [sql, c] of rows.map((r, i) => [r, api[i]!] as const))
    expect(
      Object.fromEntries(
        Object.entries(sql).map(([k, v]) => [k, v === null || typeof v === 'string' ? v : Number(v)]),
      ),
    ).toEqual({
      campaign: c.campaign,
      sent: c.sent,
      unique_opens: c.uniqueOpens,
      machine_opens: c.machineOpens,
      unique_clicks: c.uniqueClicks,
      scanner_clicks: c.scannerClicks,
      bounces: c.bounces,
      hard_bounces: c.hardBounces,
      spam_reports: c.spamReports,
      unsubscribes: c.unsubscribes,
      open_rate: round(c.openRate),
      click_rate: round(c.clickRate),
      click_to_open_rate: round(c.clickToOpenRate),
      bounce_rate: round(c.bounceRate),
      spam_rate: round(c.spamRate),
      unsubscribe_rate: round(c.unsubscribeRate),
    })
})

const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000)
