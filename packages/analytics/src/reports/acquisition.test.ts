import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { acquisition } from './acquisition'

const at = (month: number, day: number) => Date.UTC(2026, month - 1, day, 10)
const range = { project: PROJECT, from: '2026-03-01', to: '2026-03-08', horizon: '30d' }

const visit = (
  anon: string,
  when: number,
  channel: string,
  extra: Partial<FixtureEvent> = {},
): FixtureEvent => ({
  event: 'Page Viewed',
  anon,
  session: `${anon}-${when}`,
  at: when,
  channel,
  ...extra,
})
const order = (who: Partial<FixtureEvent>, when: number, revenue: number, id?: string): FixtureEvent => ({
  event: 'Order Completed',
  at: when,
  revenue,
  currency: 'EUR',
  ...who,
  ...(id && { id }),
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // a1, later u1: first came by email on the 2nd, ordered the next day as u1, and again after the horizon
    visit('a1', at(3, 2), 'Email', { utm_source: 'newsletter' }),
    { event: 'Identify', anon: 'a1', user: 'u1', at: at(3, 2) + 60_000 },
    order({ user: 'u1' }, at(3, 3), 100),
    order({ user: 'u1' }, at(4, 15), 50),
    // a2: first came before the range; a later visit in it is no first visit
    visit('a2', at(2, 20), 'Paid Search'),
    visit('a2', at(3, 3), 'Email'),
    order({ anon: 'a2' }, at(3, 3) + 60_000, 70),
    // a3: came direct on the 4th, ordered 16 and 21 days later (the first order stored twice: a retry)
    visit('a3', at(3, 4), 'Direct'),
    order({ anon: 'a3' }, at(3, 20), 30, '00000000-0000-4000-8000-0000000000c3'),
    order({ anon: 'a3' }, at(3, 20), 30, '00000000-0000-4000-8000-0000000000c3'),
    order({ anon: 'a3' }, at(3, 25), 20),
    // a4: came by email, never ordered
    visit('a4', at(3, 5), 'Email'),
    // a6: an order before the first visit (by phone, say) is not the visit's to count
    order({ anon: 'a6' }, at(3, 1), 500),
    visit('a6', at(3, 6), 'Referral', { referrer_host: 'blog.example' }),
    // a5: first came after the range
    visit('a5', at(3, 9), 'Email'),
  ])
  await fx.link('a1', 'u1', at(3, 2) + 60_000)
})
afterAll(() => fx?.close())

describe('acquisition report', () => {
  it('follows the people each channel first brought, and what they bought within the horizon', async () => {
    const r = await acquisition(fx.reader, range)
    expect(r.rows).toEqual([
      {
        key: 'Email',
        people: 2, // a1 and a4
        customers: 1,
        conversionRate: 0.5,
        conversions: 1, // u1's second order came 44 days after
        revenue: 100,
        revenuePerPerson: 50,
        medianDaysToConvert: 1,
      },
      {
        key: 'Direct',
        people: 1,
        customers: 1,
        conversionRate: 1,
        conversions: 2, // the retry once
        revenue: 50,
        revenuePerPerson: 50,
        medianDaysToConvert: 16,
      },
      {
        key: 'Referral',
        people: 1,
        customers: 0,
        conversionRate: 0,
        conversions: 0,
        revenue: 0,
        revenuePerPerson: 0,
        medianDaysToConvert: null,
      },
    ])
    expect(r.total).toEqual({
      people: 4,
      customers: 2,
      conversionRate: 0.5,
      conversions: 3,
      revenue: 150,
      revenuePerPerson: 37.5,
      medianDaysToConvert: 8.5,
    })
    expect(r.currencies).toEqual(['EUR'])
  })

  it('keys the first visit by source, and counts over a longer horizon', async () => {
    const r = await acquisition(fx.reader, { ...range, by: 'source', horizon: '60d' })
    // a4's email visit carried no utm_source and no referrer: direct; u1's second order, 44 days on, counts now
    expect(r.rows.map((x) => [x.key, x.people, x.conversions, x.revenue])).toEqual([
      ['(direct)', 2, 2, 50],
      ['blog.example', 1, 0, 0],
      ['newsletter', 1, 2, 150],
    ])
  })
})
