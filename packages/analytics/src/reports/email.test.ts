import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Reader } from '../reader'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { emailReport } from './email'

const T0 = Date.UTC(2026, 3, 6, 9)
const MIN = 60_000
const email = (
  event: string,
  user: string,
  emailId: string,
  at: number,
  props: Record<string, unknown> = {},
  campaignId = 'spring',
): FixtureEvent => ({
  event,
  user,
  at,
  properties: { campaignId, emailId, ...props },
})

// the two links of the spring email that were clicked
const sale = { linkId: 'sale', target: 'https://shop.example/sale?utm_campaign=spring' }
const boots = { linkId: 'l2', target: 'https://shop.example/boots' }

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const sent = ['r1', 'r2', 'r3', 'r4', 'r5'].map((r, i) => email('Email Sent', r, `m${i + 1}`, T0))
  await fx.events([
    ...sent,
    email('Email Sent', 'r5', 'm5', T0, {}, 'spring'), // a retried send record: one email still
    // r1: two human opens, a click, an order before the click (not counted) and one after (counted)
    email('Email Opened', 'r1', 'm1', T0 + 30 * MIN, { machine: false }),
    email('Email Opened', 'r1', 'm1', T0 + 90 * MIN, { machine: false }),
    { event: 'Order Completed', user: 'r1', at: T0 + 60 * MIN, revenue: 25 },
    email('Email Clicked', 'r1', 'm1', T0 + 91 * MIN, { scanner: false, ...sale }),
    { event: 'Order Completed', user: 'r1', at: T0 + 120 * MIN, revenue: 40 },
    // r2: only Apple's proxy opened it
    email('Email Opened', 'r2', 'm2', T0 + 1000, { machine: true }),
    // r3: a human open, and a security scanner's click
    email('Email Opened', 'r3', 'm3', T0 + 10 * MIN, { machine: false }),
    email('Email Clicked', 'r3', 'm3', T0 + 2000, { scanner: true, ...sale }),
    // r4: a machine open, then a human open and two human clicks
    email('Email Opened', 'r4', 'm4', T0 + 1000, { machine: true }),
    email('Email Opened', 'r4', 'm4', T0 + 5 * MIN, { machine: false }),
    email('Email Clicked', 'r4', 'm4', T0 + 6 * MIN, { scanner: false, ...sale }),
    email('Email Clicked', 'r4', 'm4', T0 + 7 * MIN, { scanner: false, ...boots }),
    // what the email service reported: r1–r4 delivered (r1's reported twice), r5's address bounced, r2 reported
    // the email as spam, r3 unsubscribed (twice: one email still)
    ...['r1', 'r1', 'r2', 'r3', 'r4'].map((r) => email('Email Delivered', r, `m${r.slice(1)}`, T0 + 1000)),
    email('Email Bounced', 'r5', 'm5', T0 + 1000, { bounceType: 'hard', reason: '550 no such user' }),
    email('Email Marked as Spam', 'r2', 'm2', T0 + 60 * MIN),
    email('Email Unsubscribed', 'r3', 'm3', T0 + 11 * MIN),
    email('Email Unsubscribed', 'r3', 'm3', T0 + 12 * MIN),
    // r5: nothing else. Another campaign: one send, one open
    email('Email Sent', 'r1', 'a1', T0, {}, 'autumn'),
    email('Email Opened', 'r1', 'a1', T0 + MIN, { machine: false }, 'autumn'),
    // a campaign whose sends were not recorded: an open and a click, and no rate on sent
    email('Email Opened', 'r2', 'w2', T0 + 20 * MIN, { machine: false }, 'winter'),
    email('Email Clicked', 'r2', 'w2', T0 + 21 * MIN, { scanner: false, ...boots }, 'winter'),
  ])
})
afterAll(async () => fx?.close())

const report = (reader: Reader, campaign?: string) =>
  emailReport(reader, {
    project: PROJECT,
    from: '2026-04-06',
    to: '2026-04-07',
    ...(campaign ? { campaign } : {}),
  })

it('matches the hand-computed campaign report, machine opens and scanner clicks apart', async () => {
  const [autumn, spring] = await report(fx.reader)
  expect(spring).toEqual({
    campaign: 'spring',
    sent: 5,
    uniqueOpens: 3, // r1 r3 r4
    totalOpens: 4, // r1 twice, r3, r4
    uniqueMachineOpens: 2, // r2 r4
    machineOpens: 2,
    uniqueClicks: 2, // r1 r4 (r3's was a scanner)
    totalClicks: 3,
    scannerClicks: 1,
    openRate: 3 / 5,
    clickRate: 2 / 5,
    clickToOpenRate: 2 / 3,
    delivered: 4,
    bounces: 1,
    hardBounces: 1,
    spamReports: 1,
    unsubscribes: 1,
    bounceRate: 1 / 5,
    spamRate: 1 / 5,
    unsubscribeRate: 1 / 5,
    conversions: 1, // r1's order after the click; the one before does not count
    revenue: 40,
    currencies: [], // sent without one
    // the sale link: r1 and r4 (r3's click a scanner's); the boots: r4's second click
    links: [
      { link: 'sale', target: sale.target, uniqueClicks: 2, totalClicks: 2, scannerClicks: 1 },
      { link: 'l2', target: boots.target, uniqueClicks: 1, totalClicks: 1, scannerClicks: 0 },
    ],
  })
  expect(autumn).toMatchObject({
    campaign: 'autumn',
    sent: 1,
    uniqueOpens: 1,
    uniqueClicks: 0,
    openRate: 1,
    bounces: 0,
    bounceRate: 0,
    conversions: 0,
    links: [],
  })
})

it('gives no rate on sent for a campaign with no sends recorded, and still its opens and clicks', async () => {
  const [, , winter] = await report(fx.reader)
  expect(winter).toMatchObject({
    campaign: 'winter',
    sent: 0,
    uniqueOpens: 1,
    uniqueClicks: 1,
    openRate: null,
    clickRate: null,
    clickToOpenRate: 1,
    bounceRate: null,
    spamRate: null,
    unsubscribeRate: null,
  })
})

it('filters to one campaign', async () => {
  const rows = await report(fx.reader, 'autumn')
  expect(rows.map((r) => r.campaign)).toEqual(['autumn'])
})
