import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { nps } from './nps'
import { orders } from './orders'
import { profile } from './profile'
import { timeOfDay } from './time-of-day'

const T0 = Date.UTC(2026, 0, 5, 10) // Monday 10:00 UTC, 05:00 in New York
const HOUR = 3_600_000
const DAY = 24 * HOUR
const range = { project: PROJECT, from: '2026-01-05', to: '2026-01-19' }

const answer = (user: string, at: number, value: unknown, plan = 'free', type = 'nps'): FixtureEvent => ({
  event: 'Survey Answered',
  user,
  at,
  properties: { survey: 'q1', question: 'How likely…', type, answer: value, plan },
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // u1: browses by email on a Mac, identifies twice, orders twice (web, store)
    {
      event: 'Page Viewed',
      anon: 'a-u1',
      session: 's1',
      at: T0,
      channel: 'Email',
      browser: 'Chrome',
      os: 'macOS',
      device_type: 'desktop',
      timezone: 'America/Toronto',
      locale: 'fr-CA',
    },
    { event: 'Checkout Started', anon: 'a-u1', session: 's1', at: T0 + HOUR / 2 },
    {
      event: 'Identify',
      anon: 'a-u1',
      user: 'u1',
      at: T0 + HOUR / 2 + 1000,
      traits: { name: 'Ada', plan: 'free', email: 'Ada@Example.com' },
    },
    {
      event: 'Order Completed',
      user: 'u1',
      at: T0 + HOUR,
      revenue: 100,
      currency: 'EUR',
      properties: { channel: 'web' },
    },
    { event: 'Identify', user: 'u1', at: T0 + 2 * HOUR, traits: { plan: 'pro' } },
    {
      event: 'Order Completed',
      user: 'u1',
      at: T0 + 14 * HOUR,
      revenue: 50,
      currency: 'EUR',
      properties: { channel: 'store' },
    },
    // u2: a phone order; u3: a web order sent twice with one id; u4, u5: started checkout, never ordered
    { event: 'Checkout Started', user: 'u2', at: T0 },
    {
      event: 'Order Completed',
      user: 'u2',
      at: T0 + HOUR,
      revenue: 30,
      currency: 'EUR',
      properties: { channel: 'phone' },
    },
    { event: 'Checkout Started', user: 'u3', at: T0 + 2 * DAY - HOUR },
    {
      event: 'Order Completed',
      user: 'u3',
      at: T0 + 2 * DAY,
      revenue: 20,
      id: '00000000-0000-4000-8000-0000000000a3',
      properties: { channel: 'web' },
    },
    {
      event: 'Order Completed',
      user: 'u3',
      at: T0 + 2 * DAY,
      revenue: 20,
      id: '00000000-0000-4000-8000-0000000000a3',
      properties: { channel: 'web' },
    },
    { event: 'Checkout Started', user: 'u4', at: T0 },
    { event: 'Checkout Started', user: 'u5', at: T0 },
  ])
  await fx.link('a-u1', 'u1', T0 + HOUR / 2)
  // NPS, week 1: a 10, b 9, c 7, d 3, e 2 then 8 (latest counts), f a rating question, g a text answer
  // week 2: a 0, h 10
  await fx.events([
    answer('a', T0, 10, 'pro'),
    answer('b', T0, 9, 'pro'),
    answer('c', T0, 7),
    answer('d', T0, 3),
    answer('e', T0, 2),
    answer('e', T0 + HOUR, 8),
    answer('f', T0, 4, 'free', 'rating'),
    answer('g', T0, 'ten'),
    answer('a', T0 + 7 * DAY, 0, 'pro'),
    answer('h', T0 + 7 * DAY, 10, 'pro'),
    answer('u1', T0 + 3 * HOUR, 9),
  ])
})
afterAll(async () => fx?.close())

describe('orders', () => {
  it('counts orders once each, with repeat purchases and checkout abandonment', async () => {
    const r = await orders(fx.reader, range)
    expect(r).toMatchObject({
      orders: 4,
      revenue: 200,
      averageOrderValue: 50,
      customers: 3,
      currencies: ['EUR'],
    })
    // u3's order came without a currency: apart, under none
    expect(r.byCurrency).toEqual([
      { currency: 'EUR', orders: 3, revenue: 180 },
      { currency: '', orders: 1, revenue: 20 },
    ])
    expect(r.repeatPurchaseRate).toBeCloseTo(1 / 3, 12)
    expect(r.byChannel).toEqual([
      { channel: 'web', orders: 2, revenue: 120 },
      { channel: 'store', orders: 1, revenue: 50 },
      { channel: 'phone', orders: 1, revenue: 30 },
    ])
    // started: u1 (as a-u1, linked), u2, u3, u4, u5; completed within a day: u1, u2, u3
    expect(r.checkout).toEqual({ started: 5, completed: 3, abandonmentRate: 1 - 3 / 5 })
  })
})

describe('time of day', () => {
  it('buckets conversions by weekday and hour in the given time zone', async () => {
    const ny = await timeOfDay(fx.reader, { ...range, timezone: 'America/New_York' })
    // UTC Mon 11:00 ×2 (130), Tue 00:00 (50), Wed 10:00 (20) → New York Mon 06:00, Mon 19:00, Wed 05:00
    expect(ny.cells).toEqual([
      { weekday: 1, hour: 6, conversions: 2, revenue: 130 },
      { weekday: 1, hour: 19, conversions: 1, revenue: 50 },
      { weekday: 3, hour: 5, conversions: 1, revenue: 20 },
    ])
    const utc = await timeOfDay(fx.reader, range)
    expect(utc.cells.map((c) => [c.weekday, c.hour])).toEqual([
      [1, 11],
      [2, 0],
      [3, 10],
    ])
    expect(utc.conversions).toBe(4)
  })
})

describe('nps', () => {
  it('scores promoters minus detractors per week, each person once with their latest answer', async () => {
    const r = await nps(fx.reader, { ...range, interval: 'week', survey: 'q1' })
    // week 1: a 10, b 9, c 7, d 3, e 8, u1 9 → P 3, passives 2, D 1 of 6 → 33.3
    // week 2: a 0, h 10 → 0
    expect(r.series).toEqual([
      { period: '2026-01-05', score: (2 / 6) * 100, responses: 6, promoters: 3, passives: 2, detractors: 1 },
      { period: '2026-01-12', score: 0, responses: 2, promoters: 1, passives: 0, detractors: 1 },
    ])
    // whole range, latest answers: a 0, b 9, c 7, d 3, e 8, h 10, u1 9 → P 3, passives 2, D 2 of 7
    expect(r).toMatchObject({ responses: 7, promoters: 3, passives: 2, detractors: 2 })
    expect(r.score).toBeCloseTo((1 / 7) * 100, 10)
  })

  it('splits by a segment', async () => {
    const r = await nps(fx.reader, { ...range, segment: 'properties.plan' })
    // pro: a 0, b 9, h 10 → (2 − 1)/3; free: c 7, d 3, e 8, u1 9 → (1 − 1)/4
    expect(r.segments?.map((s) => [s.segment, s.responses, Math.round(s.score * 100) / 100])).toEqual([
      ['free', 4, 0],
      ['pro', 3, 33.33],
    ])
  })
})

describe('customer profile', () => {
  it("assembles one person's story across devices and identities", async () => {
    const p = await profile(fx.reader, { project: PROJECT, person: 'u1' })
    expect(p).toMatchObject({
      person: 'u1',
      userIds: ['u1'],
      anonymousIds: ['a-u1'],
      traits: { name: 'Ada', plan: 'pro' },
      sessions: 1,
      channels: [{ channel: 'Email', sessions: 1 }],
      devices: [{ deviceType: 'desktop', os: 'macOS', browser: 'Chrome', events: 1 }],
      // as the browser said: the server's later events name no time zone
      location: { country: 'CA', timezone: 'America/Toronto', language: 'fr', locale: 'fr-CA' },
      orders: { count: 2, revenue: 150, averageOrderValue: 75 },
      nps: { score: 9 },
    })
    expect(p?.events).toBe(7)
    expect(p?.timeline.map((t) => t.event)).toEqual([
      'Order Completed',
      'Survey Answered',
      'Identify',
      'Order Completed',
      'Identify',
      'Checkout Started',
      'Page Viewed',
    ])
    expect(await profile(fx.reader, { project: PROJECT, person: 'nobody' })).toBeNull()
    // the browser's anonymous id, once linked, is the same person
    const byAnon = await profile(fx.reader, { project: PROJECT, person: 'a-u1' })
    expect(byAnon?.person).toBe('u1')
    expect(byAnon?.events).toBe(7)
  })

  it('finds a person by the email address their traits carried, without case, before an email recipient id', async () => {
    // the identify with that email came from u1's browser before it was linked: the person is u1 all the same
    const p = await profile(fx.reader, { project: PROJECT, person: ' ada@example.COM ', alsoKnownAs: ['u2'] })
    expect(p).toMatchObject({ person: 'u1', events: 7 })
    // an address no trait carried falls to the recipient id, then to nobody
    const other = await profile(fx.reader, {
      project: PROJECT,
      person: 'bea@example.com',
      alsoKnownAs: ['u2'],
    })
    expect(other?.person).toBe('u2')
    expect(await profile(fx.reader, { project: PROJECT, person: 'bea@example.com' })).toBeNull()
  })

  it("gives a person's subscriptions and support tickets as they stand now", async () => {
    const project = 'profile-states'
    const at = (day: number) => Date.UTC(2026, 2, day, 12)
    const props = (p: Record<string, unknown>) => ({ user: 'u9', project, properties: p })
    await fx.events([
      // a yearly subscription, cancelled; a monthly one in dollars, active
      {
        event: 'Subscription Started',
        at: at(1),
        revenue: 120,
        currency: 'EUR',
        ...props({ subscriptionId: 's-a', plan: 'pro', interval: 'year' }),
      },
      { event: 'Subscription Cancelled', at: at(5), ...props({ subscriptionId: 's-a', reason: 'moving' }) },
      {
        event: 'Subscription Started',
        at: at(6),
        revenue: 9,
        currency: 'USD',
        ...props({ subscriptionId: 's-b', plan: 'basic', interval: 'month' }),
      },
      // two tickets, one resolved
      { event: 'Support Ticket Opened', at: at(2), ...props({ ticketId: 't-1' }) },
      { event: 'Support Ticket Resolved', at: at(3), ...props({ ticketId: 't-1' }) },
      { event: 'Support Ticket Opened', at: at(7), ...props({ ticketId: 't-2' }) },
    ])
    const p = await profile(fx.reader, { project, person: 'u9' })
    expect(p?.subscriptions).toEqual([
      {
        subscriptionId: 's-b',
        plan: 'basic',
        active: true,
        startedAt: '2026-03-06 12:00:00.000',
        cancelledAt: null,
        monthlyRevenue: 9,
        currency: 'USD',
      },
      {
        subscriptionId: 's-a',
        plan: 'pro',
        active: false,
        startedAt: '2026-03-01 12:00:00.000',
        cancelledAt: '2026-03-05 12:00:00.000',
        monthlyRevenue: 10,
        currency: 'EUR',
      },
    ])
    expect(p?.support).toEqual({ tickets: 2, open: 1, lastOpenedAt: '2026-03-07 12:00:00.000' })
    // with the project's exchange, the dollars count in euros
    const inEuros = await profile(fx.reader, {
      project,
      person: 'u9',
      exchange: { to: 'EUR', rates: { USD: 0.9 } },
    })
    expect(inEuros?.subscriptions[0]).toMatchObject({ monthlyRevenue: 9 * 0.9, currency: 'EUR' })
    // a person with neither
    const u1 = await profile(fx.reader, { project: PROJECT, person: 'u1' })
    expect(u1).toMatchObject({ subscriptions: [], support: { tickets: 0, open: 0, lastOpenedAt: null } })
  })
})
