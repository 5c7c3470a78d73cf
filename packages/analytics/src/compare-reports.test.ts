import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Analytics } from './analytics'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from './testing/fixture'

/**
 * Reports set beside the range before them, in the real engine: October against November, November against the
 * November before, in the business's time zone.
 */
const HOUR = 3_600_000
const visit = (
  anon: string,
  at: string,
  channel: string,
  extra: Partial<FixtureEvent> = {},
): FixtureEvent => ({
  event: 'Page Viewed',
  anon,
  session: `${anon}@${at}`,
  at,
  channel,
  path: '/pricing',
  ...extra,
})
const order = (anon: string, at: string, revenue: number): FixtureEvent => ({
  event: 'Order Completed',
  anon,
  session: `${anon}@${at}`,
  at: Date.parse(at) + HOUR,
  revenue,
  currency: 'EUR',
})
const signup = (anon: string, at: string): FixtureEvent => ({
  event: 'Signed Up',
  anon,
  session: `${anon}@${at}`,
  at: Date.parse(at) + HOUR,
})

let fx: Fixture
let analytics: Analytics
beforeAll(async () => {
  fx = await openFixture()
  analytics = new Analytics(fx.ch)
  await fx.events([
    // November 2025: one visit that ordered 20
    visit('y1', '2025-11-12T10:00:00Z', 'Direct'),
    order('y1', '2025-11-12T10:00:00Z', 20),
    // October 2026 in Berlin: two from search (one ordered 100, one signed up), one from email; the first at
    // 00:30 on 1 October there (22:30 UTC on 30 September)
    visit('o1', '2026-09-30T22:30:00Z', 'Organic Search'),
    order('o1', '2026-09-30T22:30:00Z', 100),
    visit('o2', '2026-10-14T10:00:00Z', 'Organic Search'),
    signup('o2', '2026-10-14T10:00:00Z'),
    visit('o3', '2026-10-20T10:00:00Z', 'Email'),
    // November 2026 in Berlin: three from search (orders 50 and 70, two sign-ups), one from email (order 30); the
    // last at 00:30 on 1 December there, so in December
    visit('n1', '2026-11-02T10:00:00Z', 'Organic Search', { timezone: 'Europe/Berlin' }),
    order('n1', '2026-11-02T10:00:00Z', 50),
    signup('n1', '2026-11-02T10:00:00Z'),
    visit('n2', '2026-11-09T10:00:00Z', 'Organic Search', { timezone: 'Europe/Berlin' }),
    order('n2', '2026-11-09T10:00:00Z', 70),
    signup('n2', '2026-11-09T10:00:00Z'),
    visit('n3', '2026-11-16T10:00:00Z', 'Organic Search'),
    visit('n4', '2026-11-23T10:00:00Z', 'Email'),
    order('n4', '2026-11-23T10:00:00Z', 30),
    visit('d1', '2026-11-30T23:30:00Z', 'Email'),
    order('d1', '2026-11-30T23:30:00Z', 1000),
  ])
})
afterAll(() => fx?.close())

const november = { project: PROJECT, from: '2026-11-01', to: '2026-12-01', timezone: 'Europe/Berlin' }

describe('compare', () => {
  it('sets October beside November, each month at its midnights in the zone', async () => {
    const r = await analytics.traffic({ ...november, compare: 'previous' })
    expect(r.previousRange).toEqual({ from: '2026-10-01', to: '2026-11-01', compare: 'previous' })
    const search = (x: typeof r) => x.rows.find((row) => row.key === 'Organic Search')
    expect(search(r)).toMatchObject({ sessions: 3, conversions: 2, revenue: 120 })
    expect(r.total).toMatchObject({ sessions: 4, revenue: 150 })
    expect(search(r.previous as typeof r)).toMatchObject({ sessions: 2, conversions: 1, revenue: 100 })
    expect(r.previous?.total).toMatchObject({ sessions: 3, revenue: 100 })
    // the same answer as asking for October itself
    const october = await analytics.traffic({ ...november, from: '2026-10-01', to: '2026-11-01' })
    expect(r.previous).toEqual(october)
    expect(october.previous).toBeUndefined()
  })

  it('sets the same month a year before beside it', async () => {
    const r = await analytics.orders({ ...november, compare: 'year' })
    expect(r.previousRange).toEqual({ from: '2025-11-01', to: '2025-12-01', compare: 'year' })
    expect(r).toMatchObject({ orders: 3, revenue: 150 })
    expect(r.previous).toMatchObject({ orders: 1, revenue: 20 })
  })

  it("compares a funnel's steps", async () => {
    const r = await analytics.funnel({
      ...november,
      compare: 'previous',
      steps: [
        { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq', value: '/pricing' }] },
        { event: 'Signed Up' },
      ],
    })
    expect(r.steps.map((s) => s.people)).toEqual([4, 2])
    expect(r.previous?.steps.map((s) => s.people)).toEqual([3, 1])
  })

  it('gives the overview of a month beside the month before: totals, and the top channels, pages and countries', async () => {
    const r = await analytics.overview({ ...november, limit: 1, compare: 'previous' })
    expect(r).toMatchObject({
      visitors: 4,
      sessions: 4,
      pageViews: 4,
      viewsPerSession: 1,
      conversions: 3,
      revenue: 150,
    })
    expect(r.channels.map((x) => [x.key, x.sessions])).toEqual([['Organic Search', 3]])
    expect(r.pages.map((x) => [x.path, x.views])).toEqual([['/pricing', 4]])
    expect(r.countries.map((x) => [x.key, x.sessions])).toEqual([['(unknown)', 2]])
    expect(r.previous).toMatchObject({ sessions: 3, pageViews: 3, conversions: 1, revenue: 100 })
    // the same figures as the reports it is made of
    const traffic = await analytics.traffic({ ...november, by: 'country' })
    expect(traffic.rows.map((x) => [x.key, x.sessions])).toEqual([
      ['(unknown)', 2],
      ['DE', 2],
    ])
    expect(r.bounceRate).toBe(traffic.total.bounceRate)
  })

  it('compares a range of instants with as long a span before it', async () => {
    const r = await analytics.orders({
      project: PROJECT,
      from: new Date('2026-11-09T00:00:00Z'),
      to: new Date('2026-11-09T12:00:30Z'),
      compare: 'previous',
    })
    expect(r.previousRange).toMatchObject({
      from: '2026-11-08T11:59:30.000Z',
      to: '2026-11-09T00:00:00.000Z',
    })
    expect(r.orders).toBe(1)
    expect(r.previous?.orders).toBe(0)
  })

  it('is refused, naming compare, by a list of people and by the email report', async () => {
    const people = analytics.funnelPeople({
      ...november,
      compare: 'previous',
      steps: [{ event: 'Page Viewed' }, { event: 'Signed Up' }],
      outcome: 'dropped',
      step: 2,
    } as never)
    await expect(people).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['compare'] })] })
    const email = analytics.email({ ...november, compare: 'previous' } as never)
    await expect(email).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['compare'] })] })
  })
})
