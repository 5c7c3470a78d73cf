import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { subscriptions } from './subscriptions'

const range = { project: PROJECT, from: '2026-03-01', to: '2026-03-08' }
const day = (month: number, date: number) => Date.UTC(2026, month - 1, date, 12)

const start = (
  user: string,
  at: number,
  subscriptionId: string,
  plan: string,
  revenue: number,
  interval: string | undefined,
  currency = 'EUR',
): FixtureEvent => ({
  event: 'Subscription Started',
  user,
  at,
  revenue,
  currency,
  properties: { subscriptionId, plan, revenue, currency, ...(interval && { interval }) },
})
const cancel = (user: string, at: number, subscriptionId: string, reason: string): FixtureEvent => ({
  event: 'Subscription Cancelled',
  user,
  at,
  properties: { subscriptionId, reason },
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // s1: monthly, active throughout; its cancellation comes after the range
    start('u1', day(2, 1), 's1', 'basic', 10, 'month'),
    cancel('u1', day(3, 10), 's1', 'moving'),
    // s2: yearly (100 a year is 8.33 a month), cancelled in the range: churned
    start('u2', day(2, 10), 's2', 'pro', 100, 'year'),
    cancel('u2', day(3, 3), 's2', 'too-expensive'),
    // s3: new in the range, no interval sent (a month)
    start('u3', day(3, 2), 's3', 'basic', 10, undefined),
    // s4: weekly (5 a week), new and cancelled in the range: not churned, since not active at the start
    start('u4', day(3, 4), 's4', 'pro', 5, 'week'),
    cancel('u4', day(3, 6), 's4', 'not-using'),
    // s5: cancelled before the range, back in it at a higher price: neither new nor active at the start
    start('u5', day(1, 1), 's5', 'basic', 10, 'month'),
    cancel('u5', day(2, 15), 's5', 'too-expensive'),
    start('u5', day(3, 5), 's5', 'basic', 12, 'month'),
    // s6: in dollars, u1's second subscription
    start('u1', day(2, 20), 's6', 'pro', 30, 'month', 'USD'),
    // s7: cancelled in the range and started again before its end: not churned
    start('u6', day(2, 1), 's7', 'basic', 10, 'month'),
    cancel('u6', day(3, 2), 's7', 'too-expensive'),
    start('u6', day(3, 7), 's7', 'basic', 10, 'month'),
    // s8: its start sent twice (a retry)
    { ...start('u7', day(2, 5), 's8', 'basic', 10, 'month'), id: '00000000-0000-4000-8000-0000000000b8' },
    { ...start('u7', day(2, 5), 's8', 'basic', 10, 'month'), id: '00000000-0000-4000-8000-0000000000b8' },
  ])
})
afterAll(() => fx?.close())

const WEEKLY_5 = (5 * 365.25) / 12 / 7

describe('subscriptions report', () => {
  it('counts active, new, cancelled and churned subscriptions, and the revenue a month at either end', async () => {
    const r = await subscriptions(fx.reader, range)
    expect(r).toMatchObject({
      activeAtStart: 5, // s1, s2, s6, s7, s8
      started: 2, // s3, s4
      cancelled: 3, // s2, s4, s7
      churned: 1, // s2
      churnRate: 0.2,
      activeAtEnd: 6, // s1, s3, s5, s6, s7, s8
      customers: 5, // u1, u3, u5, u6, u7
      currencies: ['EUR', 'USD'],
      reasons: [
        { reason: 'too-expensive', cancelled: 2 },
        { reason: 'not-using', cancelled: 1 },
      ],
    })
    expect(r.mrrAtStart).toBeCloseTo(10 + 100 / 12 + 30 + 10 + 10, 9)
    expect(r.mrrAtEnd).toBeCloseTo(10 + 10 + 12 + 30 + 10 + 10, 9)
    expect(
      r.plans.map((p) => [p.plan, p.activeAtStart, p.started, p.cancelled, p.churned, p.activeAtEnd]),
    ).toEqual([
      ['basic', 3, 1, 1, 0, 5],
      ['pro', 2, 1, 2, 1, 1],
    ])
    const pro = r.plans[1]
    expect(pro?.churnRate).toBe(0.5)
    expect(pro?.mrrAtStart).toBeCloseTo(100 / 12 + 30, 9)
    expect(pro?.mrrAtEnd).toBeCloseTo(30, 9)
  })

  it('adds up the revenue a month in one currency with an exchange, and counts a weekly price by the month', async () => {
    const r = await subscriptions(fx.reader, { ...range, exchange: { to: 'EUR', rates: { USD: 0.9 } } })
    expect(r.currencies).toEqual(['EUR'])
    expect(r.mrrAtEnd).toBeCloseTo(10 + 10 + 12 + 27 + 10 + 10, 9)
    // on 5 March, pro had s4 (weekly, between its start and its cancellation) and s6; s2 had been cancelled
    const week = await subscriptions(fx.reader, { ...range, from: '2026-03-05', to: '2026-03-06' })
    expect(week.plans.find((p) => p.plan === 'pro')?.mrrAtStart).toBeCloseTo(
      WEEKLY_5 + (100 / 12) * 0 + 30,
      9,
    )
  })

  it('gives each day its new and cancelled subscriptions, and those active at its end with their revenue a month', async () => {
    const r = await subscriptions(fx.reader, { ...range, interval: 'day' })
    const rounded = (x: number) => Math.round(x * 1000) / 1000
    expect(
      r.series?.map((d) => [d.start, d.started, d.cancelled, d.activeAtEnd, rounded(d.mrrAtEnd)]),
    ).toEqual([
      ['2026-03-01', 0, 0, 5, rounded(10 + 100 / 12 + 30 + 10 + 10)],
      ['2026-03-02', 1, 1, 5, rounded(10 + 100 / 12 + 10 + 30 + 10)], // s3 in, s7 out
      ['2026-03-03', 0, 1, 4, 60], // s2 out
      ['2026-03-04', 1, 0, 5, rounded(60 + WEEKLY_5)], // s4 in
      ['2026-03-05', 0, 0, 6, rounded(72 + WEEKLY_5)], // s5 back, neither new nor counted as started
      ['2026-03-06', 0, 1, 5, 72], // s4 out
      ['2026-03-07', 0, 0, 6, 82], // s7 back: the report's end
    ])
    expect(r.series?.at(-1)).toMatchObject({ activeAtEnd: r.activeAtEnd })
    // the periods' new and cancelled add up to the report's
    expect(r.series?.reduce((n, d) => n + d.started, 0)).toBe(r.started)
    expect(r.series?.reduce((n, d) => n + d.cancelled, 0)).toBe(r.cancelled)
  })
})
