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
    // s9: upgraded in the range (a start again, at a higher price): expansion
    start('u8', day(2, 1), 's9', 'pro', 20, 'month'),
    start('u8', day(3, 4), 's9', 'pro', 25, 'month'),
    // s10: downgraded in the range: contraction
    start('u9', day(2, 1), 's10', 'basic', 40, 'month'),
    start('u9', day(3, 3), 's10', 'basic', 30, 'month'),
  ])
})
afterAll(() => fx?.close())

const WEEKLY_5 = (5 * 365.25) / 12 / 7

describe('subscriptions report', () => {
  it('counts active, new, cancelled and churned subscriptions, and the revenue a month at either end', async () => {
    const r = await subscriptions(fx.reader, range)
    expect(r).toMatchObject({
      activeAtStart: 7, // s1, s2, s6, s7, s8, s9, s10
      started: 2, // s3, s4
      cancelled: 3, // s2, s4, s7
      churned: 1, // s2
      churnRate: 1 / 7,
      activeAtEnd: 8, // s1, s3, s5, s6, s7, s8, s9, s10
      customers: 7, // u1, u3, u5, u6, u7, u8, u9
      startedActive: 1, // s3 (s4 was cancelled in the range)
      reactivated: 1, // s5 (s7 was active at both ends, at the same price)
      expanded: 1, // s9
      contracted: 1, // s10
      currencies: ['EUR', 'USD'],
      reasons: [
        { reason: 'too-expensive', cancelled: 2 },
        { reason: 'not-using', cancelled: 1 },
      ],
    })
    expect(r.mrrAtStart).toBeCloseTo(10 + 100 / 12 + 30 + 10 + 10 + 20 + 40, 9)
    expect(r.mrrAtEnd).toBeCloseTo(10 + 10 + 12 + 30 + 10 + 10 + 25 + 30, 9)
    expect(
      r.plans.map((p) => [p.plan, p.activeAtStart, p.started, p.cancelled, p.churned, p.activeAtEnd]),
    ).toEqual([
      ['basic', 4, 1, 1, 0, 6],
      ['pro', 3, 1, 2, 1, 2],
    ])
    const pro = r.plans[1]
    expect(pro?.churnRate).toBe(1 / 3)
    expect(pro?.mrrAtStart).toBeCloseTo(100 / 12 + 30 + 20, 9)
    expect(pro?.mrrAtEnd).toBeCloseTo(30 + 25, 9)
  })

  it("moves the MRR from the range's start to its end by new, reactivated, expanded, contracted and churned subscriptions", async () => {
    const r = await subscriptions(fx.reader, range)
    expect(r.mrrNew).toBeCloseTo(10, 9) // s3; s4 was new and cancelled in the range
    expect(r.mrrReactivated).toBeCloseTo(12, 9) // s5
    expect(r.mrrExpansion).toBeCloseTo(5, 9) // s9: 20 → 25
    expect(r.mrrContraction).toBeCloseTo(10, 9) // s10: 40 → 30
    expect(r.mrrChurned).toBeCloseTo(100 / 12, 9) // s2
    const bridged =
      r.mrrAtStart + r.mrrNew + r.mrrReactivated + r.mrrExpansion - r.mrrContraction - r.mrrChurned
    expect(bridged).toBeCloseTo(r.mrrAtEnd, 9)
    // by plan, each subscription by its latest plan, as the plan's MRR at either end
    for (const plan of r.plans)
      expect(
        plan.mrrAtStart +
          plan.mrrNew +
          plan.mrrReactivated +
          plan.mrrExpansion -
          plan.mrrContraction -
          plan.mrrChurned,
      ).toBeCloseTo(plan.mrrAtEnd, 9)
    expect(r.plans.find((p) => p.plan === 'basic')).toMatchObject({
      contracted: 1,
      expanded: 0,
      reactivated: 1,
    })
  })

  it('adds up the revenue a month in one currency with an exchange, and counts a weekly price by the month', async () => {
    const r = await subscriptions(fx.reader, { ...range, exchange: { to: 'EUR', rates: { USD: 0.9 } } })
    expect(r.currencies).toEqual(['EUR'])
    expect(r.mrrAtEnd).toBeCloseTo(10 + 10 + 12 + 27 + 10 + 10 + 25 + 30, 9)
    // on 5 March, pro had s4 (weekly, between its start and its cancellation) and s6; s2 had been cancelled
    const week = await subscriptions(fx.reader, { ...range, from: '2026-03-05', to: '2026-03-06' })
    expect(week.plans.find((p) => p.plan === 'pro')?.mrrAtStart).toBeCloseTo(
      WEEKLY_5 + (100 / 12) * 0 + 30 + 25,
      9,
    )
  })

  it('gives each day its new and cancelled subscriptions, and those active at its end with their revenue a month', async () => {
    const r = await subscriptions(fx.reader, { ...range, interval: 'day' })
    const rounded = (x: number) => Math.round(x * 1000) / 1000
    expect(
      r.series?.map((d) => [d.start, d.started, d.cancelled, d.activeAtEnd, rounded(d.mrrAtEnd)]),
    ).toEqual([
      ['2026-03-01', 0, 0, 7, rounded(10 + 100 / 12 + 30 + 10 + 10 + 60)],
      ['2026-03-02', 1, 1, 7, rounded(10 + 100 / 12 + 10 + 30 + 10 + 60)], // s3 in, s7 out
      ['2026-03-03', 0, 1, 6, 110], // s2 out, s10 down to 30
      ['2026-03-04', 1, 0, 7, rounded(115 + WEEKLY_5)], // s4 in, s9 up to 25
      ['2026-03-05', 0, 0, 8, rounded(127 + WEEKLY_5)], // s5 back, neither new nor counted as started
      ['2026-03-06', 0, 1, 7, 127], // s4 out
      ['2026-03-07', 0, 0, 8, 137], // s7 back: the report's end
    ])
    // each day's movements: new, reactivated, expansion, contraction, churned
    expect(
      r.series?.map((d) =>
        [d.mrrNew, d.mrrReactivated, d.mrrExpansion, d.mrrContraction, d.mrrChurned].map(rounded),
      ),
    ).toEqual([
      [0, 0, 0, 0, 0],
      [10, 0, 0, 0, 10], // s3 new; s7 cancelled
      [0, 0, 0, 10, rounded(100 / 12)], // s10 down; s2 cancelled
      [rounded(WEEKLY_5), 0, 5, 0, 0], // s4 new; s9 up
      [0, 12, 0, 0, 0], // s5 back
      [0, 0, 0, 0, rounded(WEEKLY_5)], // s4 cancelled
      [0, 10, 0, 0, 0], // s7 back
    ])
    // each day's MRR is the day before's (the report's start for the first) moved by its movements
    let mrr = r.mrrAtStart
    for (const d of r.series ?? []) {
      mrr += d.mrrNew + d.mrrReactivated + d.mrrExpansion - d.mrrContraction - d.mrrChurned
      expect(mrr).toBeCloseTo(d.mrrAtEnd, 9)
    }
    expect(r.series?.at(-1)).toMatchObject({ activeAtEnd: r.activeAtEnd })
    // the periods' new and cancelled add up to the report's
    expect(r.series?.reduce((n, d) => n + d.started, 0)).toBe(r.started)
    expect(r.series?.reduce((n, d) => n + d.cancelled, 0)).toBe(r.cancelled)
  })
})
