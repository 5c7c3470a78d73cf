import { type AdSpendRow, insertAdSpend } from '@touchpoint/clickhouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { traffic } from '../reports/traffic'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { attribution } from './attribution'

const DAY = 86_400_000
const MIN = 60_000
const T0 = Date.UTC(2026, 2, 2) // 2 March
const range = {
  project: PROJECT,
  from: '2026-03-02',
  to: '2026-03-12',
  model: 'last_touch' as const,
  conversion: { event: 'Order Completed' },
}

const visit = (anon: string, at: number, channel: string, source: string, medium: string, campaign: string) =>
  ({
    event: 'Page Viewed',
    anon,
    session: `s-${anon}`,
    at,
    channel,
    utm_source: source,
    utm_medium: medium,
    utm_campaign: campaign,
  }) as FixtureEvent
// each order in the session of its visit, where the traffic report counts it
const order = (anon: string, at: number, revenue: number): FixtureEvent => ({
  event: 'Order Completed',
  anon,
  session: `s-${anon}`,
  at,
  revenue,
  currency: 'EUR',
})
const spent = (
  day: string,
  source: string,
  medium: string,
  campaign: string,
  channel: string,
  cost: number,
  currency = 'EUR',
): AdSpendRow => ({ day, source, medium, campaign, channel, cost, currency, clicks: 10, impressions: 1000 })

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    visit('v1', T0 + DAY, 'Paid Search', 'google', 'cpc', 'brand'),
    order('v1', T0 + DAY + MIN, 120),
    visit('v2', T0 + 2 * DAY, 'Paid Social', 'facebook', 'paid_social', 'retarget'),
    order('v2', T0 + 2 * DAY + MIN, 30),
    visit('v3', T0 + 3 * DAY, 'Email', 'newsletter', 'email', 'spring'),
    order('v3', T0 + 3 * DAY + MIN, 50),
  ])
  await insertAdSpend(fx.ch, PROJECT, [
    spent('2026-03-02', 'google', 'cpc', 'brand', 'Paid Search', 20),
    spent('2026-03-03', 'google', 'cpc', 'brand', 'Paid Search', 30),
    // outside the range: the day before it, and its `to`'s day
    spent('2026-03-01', 'google', 'cpc', 'brand', 'Paid Search', 999),
    spent('2026-03-12', 'google', 'cpc', 'brand', 'Paid Search', 999),
    spent('2026-03-02', 'facebook', 'paid_social', 'retarget', 'Paid Social', 20, 'USD'),
    // a campaign that brought no order
    spent('2026-03-05', 'bing', 'cpc', 'generic', 'Paid Search', 25),
  ])
  // 3 March sent again, corrected: it replaces the 30; two rows of one day and campaign in one request add up
  await insertAdSpend(fx.ch, PROJECT, [
    spent('2026-03-03', 'google', 'cpc', 'brand', 'Paid Search', 25),
    spent('2026-03-03', 'google', 'cpc', 'brand', 'Paid Search', 15),
  ])
})
afterAll(() => fx?.close())

const rowsOf = async (
  by: 'channel' | 'campaign',
  exchange?: { to: string; rates: Record<string, number> },
) => {
  const r = await attribution(fx.reader, { ...range, by, ...(exchange && { exchange }) })
  const rows = r.models[0]?.rows ?? []
  return { r, rows: Object.fromEntries(rows.map((x) => [x.key, x])) }
}

describe('attribution with ad spend', () => {
  it("sets each campaign's cost beside the revenue credited to it, with its return and cost per conversion", async () => {
    const { rows } = await rowsOf('campaign')
    expect(rows.brand).toMatchObject({
      conversions: 1,
      revenue: 120,
      cost: 60,
      roas: 2,
      costPerConversion: 60,
    })
    expect(rows.retarget).toMatchObject({ conversions: 1, revenue: 30, cost: 20, roas: 1.5 })
    // no spend recorded for the newsletter: no cost, no return to tell
    expect(rows.spring).toMatchObject({ revenue: 50, cost: 0, roas: null, costPerConversion: 0 })
    // spend and no credited conversion: a row of its own
    expect(rows.generic).toEqual({
      key: 'generic',
      conversions: 0,
      revenue: 0,
      share: 0,
      cost: 25,
      roas: 0,
      costPerConversion: null,
    })
  })

  it('adds up spend by channel, and gives the total spend, its currencies and its return', async () => {
    const { r, rows } = await rowsOf('channel')
    expect(rows['Paid Search']).toMatchObject({ revenue: 120, cost: 85 })
    expect(rows['Paid Social']).toMatchObject({ revenue: 30, cost: 20 })
    expect(r.spend).toEqual({
      cost: 105,
      clicks: 50,
      impressions: 5000,
      currencies: ['EUR', 'USD'],
      roas: 200 / 105,
      costPerConversion: 35,
    })
  })

  it("converts the cost with the project's exchange, at each day's rate", async () => {
    const { r, rows } = await rowsOf('campaign', { to: 'EUR', rates: { USD: 0.5 } })
    expect(rows.retarget).toMatchObject({ cost: 10, roas: 3 })
    expect(r.spend).toMatchObject({ cost: 95, currencies: ['EUR'] })
  })

  it("reads the days of the range in the request's time zone, and leaves spend out for a range with none", async () => {
    // from 3 March in Auckland, whose midnight is 2 March 11:00 UTC: 2 March's spend is not in it, nor is v1's order
    const r = await attribution(fx.reader, {
      ...range,
      by: 'campaign',
      from: '2026-03-03',
      timezone: 'Pacific/Auckland',
    })
    expect(r.spend?.cost).toBe(40 + 25)
    const none = await attribution(fx.reader, { ...range, from: '2026-04-01', to: '2026-04-30' })
    expect(none.spend).toBeUndefined()
    expect(none.models[0]?.rows).toEqual([])
  })
})

describe('the traffic report with ad spend', () => {
  it("sets each campaign's cost beside the sessions it brought, per session and per converting session", async () => {
    const r = await traffic(fx.reader, { ...range, by: 'campaign' })
    const rows = Object.fromEntries(r.rows.map((x) => [x.key, x]))
    expect(rows.brand).toMatchObject({
      sessions: 1,
      convertingSessions: 1,
      revenue: 120,
      cost: 60,
      costPerSession: 60,
      costPerConvertingSession: 60,
      roas: 2,
    })
    expect(rows.spring).toMatchObject({ sessions: 1, cost: 0, costPerSession: 0, roas: null })
    expect(rows.generic).toMatchObject({ sessions: 0, cost: 25, costPerSession: null, roas: 0 })
    expect(r.rows.at(-1)?.key).toBe('generic')
    expect(r.total).toMatchObject({ sessions: 3, cost: 105, costPerSession: 35, roas: 200 / 105 })
    expect(r.spend).toMatchObject({ cost: 105, clicks: 50 })
  })

  it('leaves spend out by a key ads are not tagged with', async () => {
    const r = await traffic(fx.reader, { ...range, by: 'device' })
    expect(r.spend).toBeUndefined()
    expect(r.total).not.toHaveProperty('cost')
  })
})
