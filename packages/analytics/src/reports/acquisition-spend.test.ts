import { insertAdSpend } from '@touchpoint/clickhouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { acquisition } from './acquisition'

const at = (month: number, day: number) => Date.UTC(2026, month - 1, day, 10)
const range = {
  project: PROJECT,
  from: '2026-03-01',
  to: '2026-03-08',
  horizon: '30d',
  by: 'campaign' as const,
}

const visit = (anon: string, when: number, campaign: string): FixtureEvent => ({
  event: 'Page Viewed',
  anon,
  session: `${anon}-${when}`,
  at: when,
  channel: 'Paid Search',
  utm_source: 'google',
  utm_medium: 'cpc',
  utm_campaign: campaign,
})
const order = (anon: string, when: number, revenue: number): FixtureEvent => ({
  event: 'Order Completed',
  anon,
  at: when,
  revenue,
  currency: 'EUR',
})
const ad = (day: string, campaign: string, cost: number) => ({
  day,
  source: 'google',
  medium: 'cpc',
  campaign,
  channel: 'Paid Search',
  cost,
  currency: 'EUR',
  clicks: 4,
  impressions: 80,
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // brand brought b1 (who bought twice within the horizon) and b2 (who did not)
    visit('b1', at(3, 2), 'brand'),
    order('b1', at(3, 3), 60),
    order('b1', at(3, 20), 40),
    visit('b2', at(3, 4), 'brand'),
    // generic's only visitor had come before the range: nobody new
    visit('g1', at(2, 20), 'generic'),
    visit('g1', at(3, 5), 'generic'),
  ])
  await insertAdSpend(fx.ch, PROJECT, [
    ad('2026-03-02', 'brand', 30),
    ad('2026-03-04', 'brand', 20),
    ad('2026-03-05', 'generic', 15),
    // after the range: the people of the range were not brought by it
    ad('2026-03-09', 'brand', 500),
  ])
})
afterAll(() => fx?.close())

describe('acquisition with ad spend', () => {
  it('gives what acquiring a person and a customer cost, and what they returned on it', async () => {
    const r = await acquisition(fx.reader, range)
    expect(r.rows).toEqual([
      {
        key: 'brand',
        people: 2,
        customers: 1,
        conversionRate: 0.5,
        conversions: 2,
        revenue: 100,
        revenuePerPerson: 50,
        medianDaysToConvert: 1,
        cost: 50,
        costPerPerson: 25,
        costPerCustomer: 50,
        roas: 2,
      },
      {
        key: 'generic',
        people: 0,
        customers: 0,
        conversionRate: 0,
        conversions: 0,
        revenue: 0,
        revenuePerPerson: 0,
        medianDaysToConvert: null,
        cost: 15,
        costPerPerson: null,
        costPerCustomer: null,
        roas: 0,
      },
    ])
    expect(r.total).toMatchObject({ people: 2, customers: 1, cost: 65, costPerCustomer: 65, roas: 100 / 65 })
    expect(r.spend).toEqual({ cost: 65, clicks: 12, impressions: 240, currencies: ['EUR'] })
  })

  it('leaves the spend out of a range with none', async () => {
    const r = await acquisition(fx.reader, { ...range, from: '2026-02-01', to: '2026-02-28' })
    expect(r.spend).toBeUndefined()
    expect(r.rows[0]).not.toHaveProperty('cost')
  })
})
