import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEmailTracker, Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { outcomesOf } from '../examples/email/sendgrid-outcomes'
import type { RunningCollector } from '../services/collector/src/server'
import { keysIn } from './helpers/collector'
import { eventually, post } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * An email service's webhook as examples/email/sendgrid-outcomes.ts maps it: what SendGrid reports of two sends
 * (to addresses, hashed as the sends' recipients were) reaches a real collector, retried once, and the campaign
 * report counts each outcome once.
 */
let collector: RunningCollector | undefined
let dir = ''
beforeAll(async () => {
  ;({ collector, dir } = await startTestCollector())
})
afterAll(async () => collector?.close())

it("counts SendGrid's deliveries, bounces, spam reports and unsubscribes for the sends they belong to", async () => {
  const project = JSON.parse(readFileSync(join(dir, 'touchpoint.json'), 'utf8')).projects[0]
  const tracker = createEmailTracker({
    baseUrl: collector!.url,
    projectId: project.id,
    keys: project.email.keys,
    recipientSecret: project.email.recipientSecret,
  })
  const keys = keysIn(dir)
  const tp = new Touchpoint({ secretKey: keys.secretKey, host: collector!.url })
  const at = Math.floor(Date.now() / 1000) - 3600
  const ann = { campaignId: 'june', messageId: 'm-ann', recipient: 'ann@example.com' }
  const bob = { campaignId: 'june', messageId: 'm-bob', recipient: 'bob@example.com' }
  tp.track(tracker.sentEvent({ ...ann, sentAt: new Date((at - 60) * 1000) }))
  tp.track(tracker.sentEvent({ ...bob, sentAt: new Date((at - 60) * 1000) }))
  const args = (m: typeof ann) => ({ email: m.recipient, campaignId: m.campaignId, messageId: m.messageId })
  const webhook = [
    { event: 'processed', timestamp: at, ...args(ann) },
    { event: 'delivered', timestamp: at, ...args(ann) },
    { event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown user', timestamp: at, ...args(bob) },
    { event: 'open', timestamp: at + 60, ...args(ann) },
    { event: 'spamreport', timestamp: at + 120, ...args(ann) },
    { event: 'group_unsubscribe', timestamp: at + 180, ...args(ann) },
    { event: 'delivered', timestamp: at, email: 'cy@example.com' }, // a send without its custom args
  ]
  const events = outcomesOf(tracker, webhook)
  expect(events.map((e) => e.event)).toEqual([
    'Email Delivered',
    'Email Bounced',
    'Email Marked as Spam',
    'Email Unsubscribed',
  ])
  expect(JSON.stringify(events)).not.toContain('@example.com')
  for (const e of [...events, ...outcomesOf(tracker, webhook)]) tp.track(e) // the service sends it again
  await tp.close()

  const report = () =>
    post(
      `${collector!.url}/api/reports/email`,
      {
        project: project.id,
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date().toISOString(),
      },
      { authorization: `Bearer ${keys.adminKey}` },
    )
  // every call loaded, whichever request carried it
  const loaded = (c: Record<string, number> | undefined) =>
    c?.sent === 2 && c.delivered === 1 && c.bounces === 1 && c.spamReports === 1 && c.unsubscribes === 1
  const r = await eventually(report, (x) => loaded(x.body.campaigns?.[0]))
  expect(r.body.campaigns[0]).toMatchObject({
    campaign: 'june',
    sent: 2,
    delivered: 1,
    bounces: 1,
    hardBounces: 1,
    spamReports: 1,
    unsubscribes: 1,
    bounceRate: 0.5,
  })
})
