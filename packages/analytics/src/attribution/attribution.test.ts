import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AttributionModel } from '../requests'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { attribution } from './attribution'

const DAY = 86_400_000
const MIN = 60_000
const T0 = Date.UTC(2026, 2, 2)
const FROM = new Date(T0).toISOString()
const TO = new Date(T0 + 10 * DAY).toISOString()

const visit = (
  anon: string,
  session: string,
  at: number,
  channel: string,
  extra: Partial<FixtureEvent> = {},
) => ({ event: 'Page Viewed', anon, session, at, channel, ...extra }) as FixtureEvent
const order = (who: Partial<FixtureEvent>, at: number, revenue: number): FixtureEvent => ({
  event: 'Order Completed',
  at,
  revenue,
  ...who,
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // c1: three sessions (Organic Search 5 days before the range, Email, Direct), then orders twice as user u1
    visit('c1', 's1a', T0 - 5 * DAY, 'Organic Search', { referrer_host: 'google.com' }),
    visit('c1', 's1b', T0 + DAY, 'Email', {
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring',
    }),
    visit('c1', 's1c', T0 + 2 * DAY, 'Direct'),
    { event: 'Identify', anon: 'c1', user: 'u1', at: T0 + 2 * DAY },
    order({ user: 'u1' }, T0 + 2 * DAY + MIN, 100),
    order({ user: 'u1' }, T0 + 6 * DAY, 10),
    // c2: a phone order with no touchpoint at all
    order({ user: 'u2' }, T0 + 3 * DAY, 50),
    // c3: one Paid Search session; the order event arrives twice with one id
    visit('c3', 's3', T0 + 4 * DAY, 'Paid Search'),
    order({ anon: 'c3', id: '00000000-0000-4000-8000-0000000000c3' }, T0 + 4 * DAY + 10 * MIN, 30),
    order({ anon: 'c3', id: '00000000-0000-4000-8000-0000000000c3' }, T0 + 4 * DAY + 10 * MIN, 30),
    // c4: a Paid Social session, a scanner's click (ignored), then a real email click; the order is server-side
    visit('c4', 's4', T0 + 4 * DAY, 'Paid Social'),
    {
      event: 'Email Clicked',
      user: 'u4',
      at: T0 + 5 * DAY - 60 * MIN,
      utm_campaign: 'spring',
      properties: { scanner: true },
    },
    {
      event: 'Email Clicked',
      user: 'u4',
      at: T0 + 5 * DAY,
      utm_campaign: 'spring',
      properties: { scanner: false },
    },
    order({ user: 'u4' }, T0 + 5 * DAY + MIN, 20),
    // c5: its only session is older than the 30-day lookback
    visit('c5', 's5', T0 + 6 * DAY - 31 * DAY, 'Referral'),
    order({ anon: 'c5' }, T0 + 6 * DAY, 5),
    // n1: touches but no conversion (a Markov null path)
    visit('n1', 'sn1a', T0 + DAY, 'Email'),
    visit('n1', 'sn1b', T0 + 2 * DAY, 'Organic Search'),
  ])
  await fx.link('c1', 'u1', T0 + 2 * DAY)
  await fx.link('c4', 'u4', T0 + 4 * DAY)
})
afterAll(async () => fx?.close())

const run = async (model: AttributionModel | 'all', by: 'channel' | 'campaign' = 'channel') =>
  attribution(fx.reader, {
    project: PROJECT,
    from: FROM,
    to: TO,
    conversion: { event: 'Order Completed' },
    model,
    by,
  })

const credit = (r: Awaited<ReturnType<typeof run>>, model: AttributionModel) =>
  Object.fromEntries(
    (r.models.find((m) => m.model === model)?.rows ?? []).map((row) => [
      row.key,
      [row.conversions, row.revenue],
    ]),
  )

// conversions: c1a 100 [Organic, Email, Direct]; c1b 10 [Organic, Email, Direct]; c2 50 []; c3 30 [Paid Search];
// c4 20 [Paid Social, Email]; c5 5 [] (its session is outside the lookback). 6 conversions, 215 revenue.
describe('attribution models on a hand-built fixture', () => {
  it('finds each conversion once with its touches', async () => {
    const r = await run('all')
    expect(r.conversions).toBe(6)
    expect(r.revenue).toBe(215)
  })

  it('first and last touch', async () => {
    const r = await run('all')
    expect(credit(r, 'first_touch')).toEqual({
      'Organic Search': [2, 110],
      Direct: [2, 55],
      'Paid Search': [1, 30],
      'Paid Social': [1, 20],
    })
    expect(credit(r, 'last_touch')).toEqual({ Direct: [4, 165], 'Paid Search': [1, 30], Email: [1, 20] })
  })

  it('last non-direct skips Direct unless every touch is Direct (or there is none)', async () => {
    expect(credit(await run('last_non_direct'), 'last_non_direct')).toEqual({
      Email: [3, 130],
      Direct: [2, 55],
      'Paid Search': [1, 30],
    })
  })

  it('linear gives 1/n to each touch', async () => {
    const c = credit(await run('linear'), 'linear')
    expect(c['Organic Search']?.[0]).toBeCloseTo(2 / 3, 8)
    expect(c['Organic Search']?.[1]).toBeCloseTo(110 / 3, 6)
    expect(c.Email?.[0]).toBeCloseTo(2 / 3 + 1 / 2, 8)
    expect(c.Direct?.[0]).toBeCloseTo(2 / 3 + 2, 8)
    expect(c['Paid Social']).toEqual([0.5, 10])
  })

  it('position based: one touch 100%, two 50/50, three 40/20/40', async () => {
    const c = credit(await run('position_based'), 'position_based')
    expect(c['Paid Search']).toEqual([1, 30]) // one touch
    expect(c['Paid Social']).toEqual([0.5, 10]) // two touches
    expect(c['Organic Search']?.[0]).toBeCloseTo(0.8, 8) // first of three, twice
    expect(c.Email?.[0]).toBeCloseTo(0.2 + 0.2 + 0.5, 8)
    expect(c.Email?.[1]).toBeCloseTo(20 + 2 + 10, 6)
    expect(c.Direct?.[0]).toBeCloseTo(0.8 + 2, 8)
  })

  it('time decay halves the weight every half-life before the conversion', async () => {
    const c = credit(await run('time_decay'), 'time_decay')
    // Paid Social appears only in c4: touches 1 day + 1 minute and 1 minute before the order, half-life 7 days
    const half = 7 * DAY
    const wSocial = 2 ** (-(DAY + MIN) / half)
    const wEmail = 2 ** (-MIN / half)
    expect(c['Paid Social']?.[0]).toBeCloseTo(wSocial / (wSocial + wEmail), 8)
  })

  it('every model credits exactly the conversions and revenue there are', async () => {
    const r = await run('all')
    expect(r.models.map((m) => m.model)).toEqual([
      'first_touch',
      'last_touch',
      'last_non_direct',
      'linear',
      'time_decay',
      'position_based',
      'markov',
    ])
    for (const m of r.models) {
      expect(m.totals.conversions, m.model).toBeCloseTo(6, 9)
      expect(m.totals.revenue, m.model).toBeCloseTo(215, 6)
      expect(m.rows.reduce((s, row) => s + row.share, 0)).toBeCloseTo(1, 8)
    }
  })

  it('keys by campaign, with (none) for touches without one', async () => {
    const c = credit(await run('first_touch', 'campaign'), 'first_touch')
    // c1 first touch is the Organic session (no campaign); c4's Paid Social session has none either
    expect(c).toEqual({ '(none)': [6, 215] })
    const last = credit(await run('last_non_direct', 'campaign'), 'last_non_direct')
    expect(last.spring).toEqual([3, 130])
  })
})
