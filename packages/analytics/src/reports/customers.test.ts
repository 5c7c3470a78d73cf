import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { customers } from './customers'

const order = (
  who: { user?: string; anon?: string },
  at: string,
  revenue: number,
  id?: string,
): FixtureEvent => ({
  event: 'Order Completed',
  ...who,
  at,
  revenue,
  currency: 'EUR',
  ...(id && { id }),
})
const range = { project: PROJECT, from: '2026-11-01', to: '2026-12-01' }
const RETRY = '00000000-0000-8000-8000-000000000200'

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // u1: ordered in September, then twice in November, and once more in November before signing in as a1
    {
      event: 'Identify',
      user: 'u1',
      at: '2026-09-01T09:00:00Z',
      traits: { email: 'one@example.com', phone: '+33 6 12 34 56 78' },
    },
    // then removed their phone number: the backend sent it as null
    { event: 'Identify', user: 'u1', at: '2026-10-01T09:00:00Z', traits: { phone: null } },
    order({ user: 'u1' }, '2026-09-10T10:00:00Z', 30),
    order({ user: 'u1' }, '2026-11-05T10:00:00Z', 50),
    order({ anon: 'a1' }, '2026-11-10T10:00:00Z', 10),
    order({ user: 'u1' }, '2026-11-20T10:00:00Z', 20),
    // a2: a first order in November, sent twice (a retry counts once)
    order({ anon: 'a2' }, '2026-11-15T10:00:00Z', 200, RETRY),
    order({ anon: 'a2' }, '2026-11-15T10:00:00Z', 200, RETRY),
    // u3 ordered in June only; u4 in August, and again after the range
    order({ user: 'u3' }, '2026-06-01T10:00:00Z', 500),
    order({ user: 'u4' }, '2026-08-01T10:00:00Z', 40),
    order({ user: 'u4' }, '2026-12-03T10:00:00Z', 60),
    // a bot's order is nobody's
    { ...order({ anon: 'bot' }, '2026-11-16T10:00:00Z', 999), is_bot: 1 },
  ])
  await fx.link('a1', 'u1', '2026-11-10T10:05:00Z')
})
afterAll(() => fx?.close())

describe('customers report', () => {
  it('counts who ordered in the range, for the first time or again, and who lapsed', async () => {
    const r = await customers(fx.reader, range)
    expect(r.groups).toEqual({ active: 2, new: 1, returning: 1, lapsed: 2 })
    expect(r.currencies).toEqual(['EUR'])
    expect(r).toMatchObject({ who: 'active', sort: 'revenue', total: 2, offset: 0 })
    expect(r.customers).toEqual([
      {
        person: 'a2',
        orders: 1,
        revenue: 200,
        lifetimeOrders: 1,
        lifetimeRevenue: 200,
        averageOrder: 200,
        firstOrderAt: '2026-11-15T10:00:00.000Z',
        lastOrderAt: '2026-11-15T10:00:00.000Z',
        daysSinceLastOrder: 15,
      },
      {
        // the anonymous order counts for the person it was linked to
        person: 'u1',
        orders: 3,
        revenue: 80,
        lifetimeOrders: 4,
        lifetimeRevenue: 110,
        averageOrder: 27.5,
        firstOrderAt: '2026-09-10T10:00:00.000Z',
        lastOrderAt: '2026-11-20T10:00:00.000Z',
        daysSinceLastOrder: 10,
      },
    ])
  })

  it('lists the lapsed by what they spent ever, with an order after the range left out', async () => {
    const r = await customers(fx.reader, { ...range, who: 'lapsed' })
    expect(r).toMatchObject({ sort: 'lifetimeRevenue', total: 2 })
    expect(r.customers.map((c) => [c.person, c.lifetimeRevenue, c.orders, c.daysSinceLastOrder])).toEqual([
      ['u3', 500, 0, 182],
      ['u4', 40, 0, 121],
    ])
  })

  it('lists one group a page at a time, in the order asked, with the traits asked for', async () => {
    const page = await customers(fx.reader, {
      ...range,
      sort: 'lastOrder',
      limit: 1,
      offset: 1,
      traits: ['email'],
    })
    expect(page).toMatchObject({ total: 2, offset: 1 })
    expect(page.customers.map((c) => [c.person, c.traits])).toEqual([['a2', { email: null }]])
    const returning = await customers(fx.reader, { ...range, who: 'returning', traits: ['email'] })
    expect(returning.customers.map((c) => [c.person, c.traits])).toEqual([
      ['u1', { email: 'one@example.com' }],
    ])
    // a trait last sent as null is none, as the profile has it, not the value it replaced
    const cleared = await customers(fx.reader, { ...range, who: 'returning', traits: ['phone', 'email'] })
    expect(cleared.customers.map((c) => c.traits)).toEqual([{ phone: null, email: 'one@example.com' }])
    const fresh = await customers(fx.reader, { ...range, who: 'new', sort: 'orders' })
    expect(fresh.customers.map((c) => c.person)).toEqual(['a2'])
    // a page past the group's end still counts every group
    const past = await customers(fx.reader, { ...range, who: 'new', offset: 5 })
    expect(past).toMatchObject({
      customers: [],
      total: 1,
      groups: { active: 2, new: 1, returning: 1, lapsed: 2 },
    })
    expect(past.currencies).toEqual(['EUR'])
  })

  it("pages by person with after, in the ids' order, the group still counted whole", async () => {
    // the lapsed, u3 and u4, by revenue ever: u3 first; by person after '': u3, then u4 after u3
    const first = await customers(fx.reader, { ...range, who: 'lapsed', after: '', limit: 1 })
    expect(first).toMatchObject({ total: 2, customers: [{ person: 'u3', lifetimeRevenue: 500 }] })
    const next = await customers(fx.reader, { ...range, who: 'lapsed', after: 'u3', limit: 1 })
    expect(next.customers.map((c) => c.person)).toEqual(['u4'])
    const end = await customers(fx.reader, { ...range, who: 'lapsed', after: 'u4', limit: 1 })
    expect(end).toMatchObject({ total: 2, customers: [] })
    // by orders in the range u1 (three) comes before a2 (one); by person, after '', a2 before u1
    const byOrders = await customers(fx.reader, { ...range, sort: 'orders' })
    expect(byOrders.customers.map((c) => c.person)).toEqual(['u1', 'a2'])
    const byPerson = await customers(fx.reader, { ...range, sort: 'orders', after: '' })
    expect(byPerson.customers.map((c) => c.person)).toEqual(['a2', 'u1'])
    await expect(customers(fx.reader, { ...range, after: 'a2', offset: 1 })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ['offset'] })],
    })
  })

  it('refuses a group or an order it does not know, naming the field', async () => {
    await expect(customers(fx.reader, { ...range, who: 'vip' } as never)).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ['who'] })],
    })
    await expect(customers(fx.reader, { ...range, sort: 'name' } as never)).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ['sort'] })],
    })
  })
})
