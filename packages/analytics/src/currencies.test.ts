import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attribution } from './attribution/attribution'
import { emailReport } from './reports/email'
import { orders } from './reports/orders'
import { profile } from './reports/profile'
import { timeOfDay } from './reports/time-of-day'
import { traffic } from './reports/traffic'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from './testing/fixture'

// A shop that sells in euros and dollars: no report may present the sum of both as one amount unannounced.
const T0 = Date.UTC(2026, 4, 4, 9)
const MIN = 60_000
const range = { project: PROJECT, from: '2026-05-04', to: '2026-05-06' }
const order = (user: string, at: number, revenue: number, currency?: string): FixtureEvent => ({
  event: 'Order Completed',
  user,
  at,
  revenue,
  ...(currency ? { currency } : {}),
})
const click = (user: string, at: number): FixtureEvent => ({
  event: 'Email Clicked',
  user,
  at,
  properties: { campaignId: 'may', emailId: `m-${user}`, scanner: false },
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    { event: 'Page Viewed', user: 'eu', session: 's-eu', at: T0, channel: 'Organic Search' },
    click('eu', T0 + 5 * MIN),
    order('eu', T0 + 60 * MIN, 100, 'EUR'),
    { event: 'Page Viewed', user: 'us', session: 's-us', at: T0, channel: 'Paid Search' },
    click('us', T0 + 5 * MIN),
    order('us', T0 + 60 * MIN, 30, 'USD'),
    order('us', T0 + 120 * MIN, 20, 'USD'),
    order('nocurrency', T0 + 60 * MIN, 5),
  ])
})
afterAll(async () => fx?.close())

describe('reports over revenue in two currencies', () => {
  it('attribution names the currencies it added up, and a currency filter gives one', async () => {
    const all = await attribution(fx.reader, { ...range, conversion: { event: 'Order Completed' } })
    expect(all).toMatchObject({ conversions: 4, revenue: 155, currencies: ['EUR', 'USD'] })
    const eur = await attribution(fx.reader, {
      ...range,
      conversion: { event: 'Order Completed', filters: [{ property: 'currency', value: 'EUR' }] },
    })
    expect(eur).toMatchObject({ conversions: 1, revenue: 100, currencies: ['EUR'] })
  })

  it('orders give each currency its own orders and revenue', async () => {
    const r = await orders(fx.reader, range)
    expect(r).toMatchObject({ orders: 4, revenue: 155, currencies: ['EUR', 'USD'] })
    expect(r.byCurrency).toEqual([
      { currency: 'EUR', orders: 1, revenue: 100 },
      { currency: 'USD', orders: 2, revenue: 50 },
      { currency: '', orders: 1, revenue: 5 },
    ])
  })

  it('time of day, the email campaign and the profile say which currencies they summed', async () => {
    expect((await timeOfDay(fx.reader, range)).currencies).toEqual(['EUR', 'USD'])
    const [may] = await emailReport(fx.reader, range)
    expect(may).toMatchObject({ campaign: 'may', conversions: 3, revenue: 150, currencies: ['EUR', 'USD'] })
    const us = await profile(fx.reader, { project: PROJECT, person: 'us' })
    expect(us?.orders).toEqual({
      count: 2,
      revenue: 50,
      averageOrderValue: 25,
      currencies: ['USD'],
      refunds: 0,
      refunded: 0,
      netRevenue: 50,
    })
    expect(us?.timeline.filter((t) => t.event === 'Order Completed').map((t) => t.currency)).toEqual([
      'USD',
      'USD',
    ])
  })
})

describe('reports over the same revenue with an exchange', () => {
  // a dollar is worth 0.9 euros; the order sent without a currency counts as euros
  const exchange = { to: 'EUR', rates: { USD: 0.9 } }
  const inEuros = 100 + (30 + 20) * 0.9 + 5

  it('attribution, orders and time of day add it up in one currency', async () => {
    const a = await attribution(fx.reader, { ...range, exchange, conversion: { event: 'Order Completed' } })
    expect(a).toMatchObject({ conversions: 4, currencies: ['EUR'] })
    expect(a.revenue).toBeCloseTo(inEuros, 6)
    expect(a.models[0]!.rows.reduce((sum, r) => sum + r.revenue, 0)).toBeCloseTo(inEuros, 6)
    const o = await orders(fx.reader, { ...range, exchange })
    expect(o).toMatchObject({ orders: 4, currencies: ['EUR'] })
    expect(o.revenue).toBeCloseTo(inEuros, 6)
    expect(o.averageOrderValue).toBeCloseTo(inEuros / 4, 6)
    // each currency as it was sent, and what it came to
    expect(o.byCurrency).toEqual([
      { currency: 'EUR', orders: 1, revenue: 100, converted: 100 },
      { currency: 'USD', orders: 2, revenue: 50, converted: expect.closeTo(45, 6) },
      { currency: '', orders: 1, revenue: 5, converted: 5 },
    ])
    const t = await timeOfDay(fx.reader, { ...range, exchange })
    expect(t.currencies).toEqual(['EUR'])
    expect(t.revenue).toBeCloseTo(inEuros, 6)
  })

  it('the email campaign, traffic and the profile too', async () => {
    const [may] = await emailReport(fx.reader, { ...range, exchange })
    expect(may).toMatchObject({ conversions: 3, currencies: ['EUR'] })
    expect(may!.revenue).toBeCloseTo(100 + 50 * 0.9, 6)
    const us = await profile(fx.reader, { project: PROJECT, person: 'us', exchange })
    expect(us?.orders).toMatchObject({ count: 2, currencies: ['EUR'] })
    expect(us!.orders.revenue).toBeCloseTo(45, 6)
    // the timeline keeps each order as it was sent
    expect(
      us?.timeline.filter((t) => t.event === 'Order Completed').map((t) => [t.revenue, t.currency]),
    ).toEqual([
      [20, 'USD'],
      [30, 'USD'],
    ])
    // the orders carried no session id: traffic counts none of them, and says so in no currency
    expect((await traffic(fx.reader, { ...range, exchange })).total).toMatchObject({
      revenue: 0,
      currencies: [],
    })
  })

  it('leaves a currency it has no rate for as it was, and still names it', async () => {
    const o = await orders(fx.reader, { ...range, exchange: { to: 'EUR', rates: { GBP: 1.2 } } })
    expect(o.currencies).toEqual(['EUR', 'USD'])
    expect(o.revenue).toBe(155)
    const bad = orders(fx.reader, { ...range, exchange: { to: 'euro', rates: {} } })
    await expect(bad).rejects.toThrow(/exchange[\s\S]*ISO 4217/)
  })
})

describe('rates by date', () => {
  const DATED = 'dated-rates'
  const D = (day: number, hour = 12) => Date.UTC(2026, 4, day, hour)
  const range = { project: DATED, from: '2026-05-01', to: '2026-05-10' }
  // a dollar is worth 0.9 euros from May 4th and 0.8 from May 6th; a pound 1.2 every day
  const exchange = { to: 'EUR', rates: { USD: { '2026-05-04': 0.9, '2026-05-06': 0.8 }, GBP: 1.2 } }
  // each order in its own session, which began with a page view a minute before it
  const sale = (day: number, revenue: number, currency: string, hour = 12): FixtureEvent[] => [
    {
      event: 'Page Viewed',
      user: 'buyer',
      session: `s-${day}-${hour}`,
      at: D(day, hour) - MIN,
      project: DATED,
    },
    {
      event: 'Order Completed',
      user: 'buyer',
      session: `s-${day}-${hour}`,
      at: D(day, hour),
      revenue,
      currency,
      project: DATED,
    },
  ]
  beforeAll(async () => {
    await fx.events([
      { ...click('buyer', D(2, 8)), project: DATED },
      ...sale(3, 10, 'USD'), // before the first date: its rate, 0.9
      ...sale(4, 10, 'USD'), // 0.9
      ...sale(5, 10, 'USD'), // no rate that day: May 4th's, 0.9
      ...sale(5, 10, 'GBP'), // 12
      ...sale(6, 10, 'USD', 0), // the first hour of May 6th (UTC): 0.8
      ...sale(9, 10, 'USD'), // after the last date: its rate, 0.8
    ])
  })
  const inEuros = 3 * 9 + 12 + 2 * 8

  it("converts each order at its day's rate in every report that sums revenue", async () => {
    const o = await orders(fx.reader, { ...range, exchange })
    expect(o).toMatchObject({ orders: 6, currencies: ['EUR'] })
    expect(o.revenue).toBeCloseTo(inEuros, 6)
    expect(o.byCurrency).toEqual([
      { currency: 'USD', orders: 5, revenue: 50, converted: expect.closeTo(43, 6) },
      { currency: 'GBP', orders: 1, revenue: 10, converted: expect.closeTo(12, 6) },
    ])
    const a = await attribution(fx.reader, { ...range, exchange, conversion: { event: 'Order Completed' } })
    expect(a.revenue).toBeCloseTo(inEuros, 6)
    expect((await timeOfDay(fx.reader, { ...range, exchange })).revenue).toBeCloseTo(inEuros, 6)
    expect((await traffic(fx.reader, { ...range, exchange })).total.revenue).toBeCloseTo(inEuros, 6)
    const [may] = await emailReport(fx.reader, { ...range, exchange })
    expect(may!.revenue).toBeCloseTo(inEuros, 6)
    const buyer = await profile(fx.reader, { project: DATED, person: 'buyer', exchange })
    expect(buyer!.orders.revenue).toBeCloseTo(inEuros, 6)
  })

  it('refuses a dated rate that is no date, and rates of no date at all, naming the date', async () => {
    const refused = (rates: unknown) =>
      orders(fx.reader, { ...range, exchange: { to: 'EUR', rates } as never }).catch((e: unknown) => e)
    const notDate = (await refused({ USD: { '4 May': 0.9 } })) as {
      issues: Array<{ path: unknown[]; message: string }>
    }
    expect(notDate.issues[0]).toMatchObject({
      path: ['exchange', 'rates', 'USD', '4 May'],
      message: 'expected a date as YYYY-MM-DD, such as 2026-01-02',
    })
    expect(String(await refused({ USD: { '2026-02-30': 0.9 } }))).toContain('expected a date as YYYY-MM-DD')
    expect(String(await refused({ USD: 'daily' }))).toContain('expected a rate (a number) or rates by date')
    expect(String(await refused({ USD: {} }))).toContain('at least one date')
  })
})
