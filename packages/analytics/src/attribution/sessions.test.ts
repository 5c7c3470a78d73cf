import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { profile } from '../reports/profile'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { attribution } from './attribution'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 4, 4)

const visit = (who: Partial<FixtureEvent>, session: string, at: number, channel: string): FixtureEvent => ({
  event: 'Page Viewed',
  session,
  at,
  channel,
  ...who,
})
const order = (user: string, at: number, revenue: number): FixtureEvent => ({
  event: 'Order Completed',
  user,
  at,
  revenue,
})

// Sessions in two parts: anonymous events, then the same session's events after identify. A session is one touch,
// keyed and timed by its first event, and counts only when that first event is in the lookback (one day here).
let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const a = T0 + 2 * DAY
  const b = T0 + 3 * DAY
  const c = T0 + 4 * DAY
  const d = T0 + 5 * DAY
  const click: FixtureEvent = {
    event: 'Email Clicked',
    user: 'uc',
    id: '00000000-0000-4000-8000-0000000000cc',
    at: c - HOUR,
    properties: { scanner: false },
  }
  await fx.events([
    // a: the session began an hour before the lookback; its identified part falls inside it. No touch.
    visit({ anon: 'a1' }, 'sa', a - DAY - HOUR, 'Referral'),
    visit({ anon: 'a1', user: 'ua' }, 'sa', a - DAY + HOUR, 'Organic Search'),
    order('ua', a, 10),
    // b: both parts in the lookback: one Paid Search touch, not one for each part.
    visit({ anon: 'b1' }, 'sb', b - 3 * HOUR, 'Paid Search'),
    visit({ anon: 'b1', user: 'ub' }, 'sb', b - 2 * HOUR, 'Organic Search'),
    order('ub', b, 20),
    // c: a Direct session, then one email click stored twice (a retry not yet merged away): two touches.
    visit({ anon: 'c1' }, 'sc', c - 5 * HOUR, 'Direct'),
    click,
    order('uc', c, 30),
  ])
  // in an insert of its own, so that it is a row of its own until a merge (one insert collapses its duplicates)
  await fx.events([click])
  // d: one session's events in two inserts, its first event in the later one (an outbox sent after the page
  // that followed): the session is Paid Search, from its first event, whichever insert brought it.
  await fx.events([visit({ anon: 'd1', user: 'ud' }, 'sd', d - 2 * HOUR, 'Social'), order('ud', d, 40)])
  await fx.events([
    visit({ anon: 'd1', user: 'ud' }, 'sd', d - HOUR, 'Referral'),
    visit({ anon: 'd1', user: 'ud' }, 'sd', d - 3 * HOUR, 'Paid Search'),
  ])
  await fx.link('a1', 'ua', a - DAY + HOUR)
  await fx.link('b1', 'ub', b - 2 * HOUR)
  await fx.link('c1', 'uc', c - 5 * HOUR)
})
afterAll(async () => fx?.close())

describe('attribution: a session is one touch, from its first event', () => {
  it('credits each session once, by its first part, and each click once', async () => {
    const r = await attribution(fx.reader, {
      project: PROJECT,
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 10 * DAY).toISOString(),
      conversion: { event: 'Order Completed' },
      model: 'all',
      lookback: '1d',
    })
    expect(r.conversions).toBe(4)
    const credits = (model: string) =>
      Object.fromEntries(
        (r.models.find((m) => m.model === model)?.rows ?? []).map((row) => [
          row.key,
          [row.conversions, row.revenue],
        ]),
      )
    // a: no touch, so Direct; b and d: Paid Search alone; c: Direct and Email, half each
    expect(credits('linear')).toEqual({ Direct: [1.5, 25], 'Paid Search': [2, 60], Email: [0.5, 15] })
    expect(credits('first_touch')).toEqual({ Direct: [2, 40], 'Paid Search': [2, 60] })
    expect(credits('last_touch')).toEqual({ Direct: [1, 10], 'Paid Search': [2, 60], Email: [1, 30] })
  })
})

describe('a session whose events share their first millisecond', () => {
  it('takes the channel of one that names a source over Direct, in attribution and the profile', async () => {
    // a batch sent without timestamps: the newsletter's page view and the order took the same receive time
    const project = 'tie'
    const at = T0 + DAY
    await fx.events([
      { ...visit({ anon: 'n1' }, 'sn', at, 'Email'), project },
      { event: 'Order Completed', anon: 'n1', session: 'sn', at, channel: 'Direct', revenue: 5, project },
    ])
    const r = await attribution(fx.reader, {
      project,
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 2 * DAY).toISOString(),
      conversion: { event: 'Order Completed' },
      model: 'last_touch',
    })
    expect(r.models[0]?.rows.map((x) => [x.key, x.conversions])).toEqual([['Email', 1]])
    const p = await profile(fx.reader, { project, person: 'n1' })
    expect(p?.channels).toEqual([{ channel: 'Email', sessions: 1 }])
  })

  it('takes it over a Direct part of the session that began in the same millisecond, the identified one', async () => {
    // the ad's page view and the identify sent together without timestamps: the identify, with the user id, is a
    // part of the session of its own, Direct, that began when the ad's part did; the order came later by phone
    const project = 'tie-parts'
    const at = T0 + DAY
    await fx.events([
      { ...visit({ anon: 'p1' }, 'sp', at, 'Paid Social'), project },
      { event: 'Identify', anon: 'p1', user: 'up', session: 'sp', at, channel: 'Direct', project },
      { ...order('up', at + 1000, 99), project },
    ])
    await fx.link('p1', 'up', at, project)
    for (const model of ['first_touch', 'last_touch', 'linear'] as const) {
      const r = await attribution(fx.reader, {
        project,
        from: new Date(T0).toISOString(),
        to: new Date(T0 + 2 * DAY).toISOString(),
        conversion: { event: 'Order Completed' },
        model,
      })
      expect(r.models[0]?.rows.map((x) => [x.key, x.conversions, x.revenue])).toEqual([
        ['Paid Social', 1, 99],
      ])
    }
  })
})
