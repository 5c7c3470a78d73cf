import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { funnel } from '../funnel'
import { trafficRequest } from '../requests'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { traffic, trafficBy } from './traffic'

const T0 = Date.UTC(2026, 3, 1, 10)
const MIN = 60_000
const DAY = 86_400_000
const range = { project: PROJECT, from: '2026-04-01', to: '2026-04-08' }
// a phone in Vienna set to German; a laptop in India on the zone's old name, set to English with an underscore
const phone = {
  device_type: 'mobile',
  browser: 'Mobile Safari',
  os: 'iOS',
  timezone: 'Europe/Vienna',
  locale: 'de-AT',
}
const laptop = {
  device_type: 'desktop',
  browser: 'Firefox',
  os: 'Linux',
  timezone: 'Asia/Calcutta',
  locale: 'en_IN',
}
const email = { channel: 'Email', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring' }
const view = (
  anon: string,
  session: string,
  at: number,
  extra: Partial<FixtureEvent> = {},
): FixtureEvent => ({
  event: 'Page Viewed',
  anon,
  session,
  at,
  ...extra,
})
const order = (anon: string, session: string, at: number, revenue: number, id?: string): FixtureEvent => ({
  event: 'Order Completed',
  anon,
  session,
  at,
  revenue,
  currency: 'EUR',
  ...(id && { id }),
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  // one insert, as the collector's are: the session parts' view picks each session's first event in it
  await fx.events([
    // s1: from a search engine, orders 100
    view('a1', 's1', T0, {
      channel: 'Organic Search',
      referrer_host: 'google.com',
      path: '/',
      url: 'https://shop.example/',
      ...phone,
    }),
    order('a1', 's1', T0 + 10 * MIN, 100),
    // s2: from the newsletter, a second page a minute later, no order
    view('a2', 's2', T0 + 60 * MIN, {
      ...email,
      ...phone,
      path: '/spring-sale',
      url: 'https://blog.example/spring-sale',
    }),
    view('a2', 's2', T0 + 61 * MIN, { path: '/jackets' }),
    // s3: a1 again the next day, from the newsletter, orders 50 (stored twice: a retry counts once)
    view('a1', 's3', T0 + DAY, { ...email, ...laptop, path: '/', url: 'https://shop.example:8443/' }),
    order('a1', 's3', T0 + DAY + 5 * MIN, 50, '00000000-0000-8000-8000-000000000050'),
    order('a1', 's3', T0 + DAY + 5 * MIN, 50, '00000000-0000-8000-8000-000000000050'),
    // s4: Direct, a checkout but no order
    view('a3', 's4', T0, { channel: '' }),
    { event: 'Checkout Started', anon: 'a3', session: 's4', at: T0 + MIN },
    // s5: a Direct event and the newsletter's page view in the same millisecond: the session is Email's
    { event: 'Product Added', anon: 'a4', session: 's5', at: T0 + 2 * DAY, channel: 'Direct' },
    view('a4', 's5', T0 + 2 * DAY, email),
    // s6: began the day before the range; its order inside the range counts in no row
    view('a5', 's6', T0 - 11 * 60 * MIN, { channel: 'Paid Search' }),
    order('a5', 's6', T0 - 10 * 60 * MIN + 11 * 60 * MIN, 70),
    // a bot's session is no session
    view('bot', 's7', T0, { channel: 'Referral', is_bot: 1 }),
  ])
  // a1 and a4 are one person
  await fx.link('a1', 'u1', T0)
  await fx.link('a4', 'u1', T0)
})
afterAll(() => fx?.close())

describe('traffic report', () => {
  it('counts the sessions that began in the range by channel, with their visitors, conversions and revenue', async () => {
    const r = await traffic(fx.reader, range)
    const row = (
      key: string,
      sessions: number,
      visitors: number,
      converting: number,
      revenue: number,
      [bounceRate, medianDurationSeconds]: [number, number],
    ) => ({
      key,
      sessions,
      visitors,
      bounceRate,
      medianDurationSeconds,
      convertingSessions: converting,
      conversionRate: converting / sessions,
      conversions: converting,
      revenue,
      currencies: revenue ? ['EUR'] : [],
    })
    expect(r.by).toBe('channel')
    expect(r.rows).toEqual([
      // s2 (a2), s3 and s5 (u1); s2 alone viewed two pages, over a minute; s3 lasted 5 and s5 0 minutes
      row('Email', 3, 2, 1, 50, [2 / 3, 60]),
      row('Direct', 1, 1, 0, 0, [1, 60]), // a page, and a checkout a minute later
      row('Organic Search', 1, 1, 1, 100, [1, 600]), // a page, and an order ten minutes later
    ])
    expect(r.total).toEqual({
      sessions: 5,
      visitors: 3,
      bounceRate: 4 / 5,
      medianDurationSeconds: 60,
      convertingSessions: 2,
      conversionRate: 2 / 5,
      conversions: 2,
      revenue: 150,
      currencies: ['EUR'],
    })
  })

  it('keys sessions by campaign or source as attribution does', async () => {
    const byCampaign = await traffic(fx.reader, { ...range, by: 'campaign' })
    expect(byCampaign.rows.map((r) => [r.key, r.sessions])).toEqual([
      ['spring', 3],
      ['(none)', 2],
    ])
    const bySource = await traffic(fx.reader, { ...range, by: 'source' })
    expect(bySource.rows.map((r) => [r.key, r.sessions])).toEqual([
      ['newsletter', 3],
      ['(direct)', 1],
      ['google.com', 1],
    ])
  })

  it("keys sessions by their first event's device type, browser or OS", async () => {
    const byDevice = await traffic(fx.reader, { ...range, by: 'device' })
    // s1 and s2 on a phone; s3 on a laptop, where a1 ordered 50; s4 and s5's events name no device
    expect(byDevice.by).toBe('device')
    expect(byDevice.rows.map((r) => [r.key, r.sessions, r.visitors, r.revenue])).toEqual([
      ['(unknown)', 2, 2, 0],
      ['mobile', 2, 2, 100],
      ['desktop', 1, 1, 50],
    ])
    // the same sessions as by channel, keyed otherwise
    expect(byDevice.total).toEqual((await traffic(fx.reader, range)).total)
    const byBrowser = await traffic(fx.reader, { ...range, by: 'browser' })
    expect(byBrowser.rows.map((r) => [r.key, r.sessions])).toEqual([
      ['(unknown)', 2],
      ['Mobile Safari', 2],
      ['Firefox', 1],
    ])
    const byOs = await traffic(fx.reader, { ...range, by: 'os' })
    expect(byOs.rows.map((r) => r.key)).toEqual(['(unknown)', 'iOS', 'Linux'])
  })

  it('keys sessions by the page they landed on', async () => {
    const r = await traffic(fx.reader, { ...range, by: 'landing' })
    // s1 and s3 of a1 landed on /, s2 on /spring-sale; s4 and s5 on pages that named no path
    expect(r.rows.map((x) => [x.key, x.sessions, x.convertingSessions, x.revenue])).toEqual([
      ['(unknown)', 2, 0, 0],
      ['/', 2, 2, 150],
      ['/spring-sale', 1, 0, 0],
    ])
  })

  it('keys sessions by the host of the page they landed on', async () => {
    const r = await traffic(fx.reader, { ...range, by: 'host' })
    // the shop's two sessions (one on another port) ordered 150; the blog's none; s4 and s5 named no URL
    expect(r.rows.map((x) => [x.key, x.sessions, x.revenue])).toEqual([
      ['(unknown)', 2, 0],
      ['shop.example', 2, 150],
      ['blog.example', 1, 0],
    ])
  })

  it("keys sessions by the country of the visitor's time zone and the language of their locale", async () => {
    const byCountry = await traffic(fx.reader, { ...range, by: 'country' })
    expect(byCountry.rows.map((x) => [x.key, x.sessions, x.revenue])).toEqual([
      ['(unknown)', 2, 0],
      ['AT', 2, 100],
      ['IN', 1, 50],
    ])
    const byLanguage = await traffic(fx.reader, { ...range, by: 'language' })
    expect(byLanguage.rows.map((x) => [x.key, x.sessions])).toEqual([
      ['(unknown)', 2],
      ['de', 2],
      ['en', 1],
    ])
    // a field like any other: who viewed a page from Austria (a1, who is u1, and a2)
    const f = await funnel(fx.reader, {
      ...range,
      steps: [{ event: 'Page Viewed', filters: [{ property: 'country', op: 'eq', value: 'AT' }] }],
    })
    expect(f.steps[0]?.people).toBe(2)
  })

  it('counts another conversion when asked', async () => {
    const r = await traffic(fx.reader, { ...range, conversion: { event: 'Checkout Started' } })
    expect(r.rows.find((x) => x.key === 'Direct')).toMatchObject({ convertingSessions: 1, revenue: 0 })
    expect(r.total.conversions).toBe(1)
  })

  it('by channel and by a key of the events in one pass, gives what the two reports give', async () => {
    for (const second of ['country', 'device', 'landing', 'language'] as const) {
      const [byChannel, bySecond] = await trafficBy(fx.reader, trafficRequest.parse(range), second)
      expect(byChannel).toEqual(await traffic(fx.reader, range))
      expect(bySecond).toEqual({ ...(await traffic(fx.reader, { ...range, by: second })) })
    }
  })
})
