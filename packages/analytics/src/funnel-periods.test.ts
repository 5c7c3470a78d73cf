import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { funnel } from './funnel'
import { funnelPeople } from './funnel-people'
import { type Fixture, openFixture, PROJECT } from './testing/fixture'
import { periodStarts } from './zone'

// New York is five hours behind UTC in January: local midnight of 2026-01-05 (a Monday) is 05:00 UTC
const ZONE = 'America/New_York'
const local = (day: number, hour: number, minute = 0) => Date.UTC(2026, 0, day, hour + 5, minute)

const STEPS = [
  { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] },
  { event: 'Signup Started' },
  { event: 'Signed Up' },
]
// four local days, 5 to 8 January; nobody enters on the 8th
const request = {
  project: PROJECT,
  from: '2026-01-05',
  to: '2026-01-09',
  timezone: ZONE,
  steps: STEPS,
  window: '1h',
}

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const pricing = (anon: string, at: number, channel?: string) => ({
    event: 'Page Viewed',
    path: '/pricing',
    anon,
    at,
    ...(channel && { channel }),
  })
  await fx.events([
    // b1: the whole funnel on the 5th
    pricing('b1', local(5, 10), 'Email'),
    { event: 'Signup Started', anon: 'b1', at: local(5, 10, 10) },
    { event: 'Signed Up', anon: 'b1', at: local(5, 10, 20) },
    // b2: 23:30 on the 6th in New York, already the 7th in UTC
    pricing('b2', local(6, 23, 30)),
    // b3: 21:00 on the 5th in New York (the 6th in UTC), two steps
    pricing('b3', local(5, 21)),
    { event: 'Signup Started', anon: 'b3', at: local(5, 21, 5) },
    // b4: looks on the 5th, comes back on the 7th and signs up: the chain that counts it starts on the 7th
    pricing('b4', local(5, 12)),
    pricing('b4', local(7, 9)),
    { event: 'Signup Started', anon: 'b4', at: local(7, 9, 10) },
    { event: 'Signed Up', anon: 'b4', at: local(7, 9, 30) },
    // b5: 23:59 on the 4th in New York, before the range
    pricing('b5', local(4, 23, 59)),
  ])
})
afterAll(() => fx?.close())

const people = (steps: Array<{ people: number }>) => steps.map((s) => s.people)

describe('a funnel by period', () => {
  it('counts each person in the day, in the request time zone, that their counted chain entered', async () => {
    const r = await funnel(fx.reader, { ...request, interval: 'day' })
    expect(people(r.steps)).toEqual([4, 3, 2])
    expect(r.periods?.map((p) => [p.start, people(p.steps)])).toEqual([
      ['2026-01-05', [2, 2, 1]], // b1, b3
      ['2026-01-06', [1, 0, 0]], // b2
      ['2026-01-07', [1, 1, 1]], // b4, not also on the 5th
      ['2026-01-08', [0, 0, 0]], // nobody, listed all the same
    ])
    const fifth = r.periods?.[0]?.steps
    expect(fifth?.[2]).toMatchObject({ conversionFromFirst: 0.5, dropOff: 1, medianSecondsFromPrevious: 600 })
  })

  it('adds the periods up to the totals, by week and by month', async () => {
    const week = await funnel(fx.reader, { ...request, interval: 'week' })
    expect(week.periods?.map((p) => [p.start, people(p.steps)])).toEqual([['2026-01-05', [4, 3, 2]]])
    const month = await funnel(fx.reader, { ...request, interval: 'month' })
    expect(month.periods?.map((p) => [p.start, people(p.steps)])).toEqual([['2026-01-01', [4, 3, 2]]])
    // the same range read in UTC: b2 moves to the 7th, b3 to the 6th
    const utc = await funnel(fx.reader, {
      ...request,
      timezone: 'UTC',
      from: new Date(local(5, 0)).toISOString(),
      to: new Date(local(9, 0)).toISOString(),
      interval: 'day',
    })
    expect(utc.periods?.map((p) => [p.start, people(p.steps)])).toEqual([
      ['2026-01-05', [1, 1, 1]],
      ['2026-01-06', [1, 1, 0]],
      ['2026-01-07', [2, 1, 1]],
      ['2026-01-08', [0, 0, 0]],
      ['2026-01-09', [0, 0, 0]], // from 00:00 to 05:00 UTC on the 9th
    ])
  })

  it('gives periods and a breakdown side by side, and leaves both out unless asked', async () => {
    const r = await funnel(fx.reader, { ...request, interval: 'day', breakdown: 'channel' })
    expect(people(r.steps)).toEqual([4, 3, 2])
    expect(r.breakdown?.map((b) => [b.value, people(b.steps)])).toEqual([
      ['Direct', [3, 2, 1]],
      ['Email', [1, 1, 1]],
    ])
    expect(r.periods?.map((p) => people(p.steps)[0])).toEqual([2, 1, 1, 0])
    const plain = await funnel(fx.reader, request)
    expect(plain).toEqual({ steps: r.steps })
  })

  it('enters a person in any-order mode at their first step-1 event in the range', async () => {
    const r = await funnel(fx.reader, { ...request, mode: 'any', interval: 'day' })
    expect(r.periods?.map((p) => [p.start, people(p.steps)])).toEqual([
      ['2026-01-05', [3, 3, 2]], // b1, b3 and b4, who first looked on the 5th
      ['2026-01-06', [1, 0, 0]],
      ['2026-01-07', [0, 0, 0]],
      ['2026-01-08', [0, 0, 0]],
    ])
  })

  it("lists the people of one period, as many as the period's numbers", async () => {
    const dropped = await funnelPeople(fx.reader, {
      ...request,
      interval: 'day',
      period: '2026-01-05',
      outcome: 'dropped',
      step: 3,
    })
    expect(dropped).toMatchObject({ total: 1, people: [{ person: 'b3', stepsReached: 2 }] })
    const reached = await funnelPeople(fx.reader, {
      ...request,
      interval: 'day',
      period: '2026-01-07',
      outcome: 'reached',
      step: 1,
    })
    expect(reached.people.map((p) => [p.person, p.enteredAt])).toEqual([
      ['b4', new Date(local(7, 9)).toISOString()],
    ])
  })

  it('refuses a period that is not one of the range, a period without an interval, and too many periods', async () => {
    const issue = async (run: () => Promise<unknown>) => {
      const err = await run().catch((e: unknown) => e)
      return (err as { issues?: Array<{ path: unknown[]; message: string }> }).issues?.[0]
    }
    const list = (extra: object) => () =>
      funnelPeople(fx.reader, { ...request, outcome: 'reached', step: 1, ...extra })
    expect(await issue(list({ interval: 'week', period: '2026-01-07' }))).toMatchObject({
      code: 'custom',
      path: ['period'],
      message: "expected the first day of one of the range's weeks, from 2026-01-05 to 2026-01-05",
    })
    expect(await issue(list({ period: '2026-01-05' }))).toMatchObject({
      path: ['period'],
      message: 'needs an interval to be a period of',
    })
    expect(
      await issue(() =>
        funnel(fx.reader, { ...request, from: '2025-01-01', to: '2026-03-01', interval: 'day' }),
      ),
    ).toMatchObject({ path: ['to'], message: expect.stringContaining('more than 400 days') })
  })
})

describe('periodStarts', () => {
  const at = (iso: string) => new Date(iso)
  it.each([
    [
      'day',
      '2026-03-28T23:00:00Z',
      '2026-03-31T22:00:00Z',
      'Europe/Berlin',
      ['2026-03-29', '2026-03-30', '2026-03-31'],
    ],
    [
      'week',
      '2026-11-01T00:00:00Z',
      '2026-11-17T00:00:00Z',
      'UTC',
      ['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16'],
    ],
    ['month', '2026-01-31T12:00:00Z', '2026-03-01T00:00:00Z', 'UTC', ['2026-01-01', '2026-02-01']],
    [
      'month',
      '2025-12-01T00:00:00Z',
      '2026-02-01T00:00:01Z',
      'Asia/Tokyo',
      ['2025-12-01', '2026-01-01', '2026-02-01'],
    ],
  ] as const)('%s from %s to %s in %s', (interval, from, to, zone, starts) =>
    expect(periodStarts(at(from), at(to), interval, zone)).toEqual(starts),
  )
})
