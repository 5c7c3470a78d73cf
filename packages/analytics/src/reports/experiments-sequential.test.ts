import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareRates } from '../significance'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { dailyLooks, experiment, MAX_LOOKS } from './experiments'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const JUNE_1 = Date.UTC(2026, 5, 1)
const range = { project: PROJECT, from: '2026-06-01', to: '2026-06-08', timezone: 'UTC' }

/**
 * A test that looked decided on its first day and evened out after: on 1 June B converted 40 of 100 against the
 * control's 5 of 100; from 2 to 5 June B converted fewer, until both stood at 250 of 1,000. Each day's people were
 * shown it at noon and those who converted ordered an hour later.
 */
const DAYS: Array<{ control: [number, number]; b: [number, number] }> = [
  { control: [100, 5], b: [100, 40] },
  { control: [225, 61], b: [225, 52] },
  { control: [225, 61], b: [225, 53] },
  { control: [225, 61], b: [225, 52] },
  { control: [225, 62], b: [225, 53] },
]
/** the planned uplift: a mixture wide enough to tell the first day's difference */
const UPLIFT = 5

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const events: FixtureEvent[] = []
  DAYS.forEach((day, d) => {
    for (const [variant, [people, converted]] of Object.entries(day))
      for (let i = 0; i < people; i++) {
        const anon = `${variant}-${d}-${i}`
        const at = JUNE_1 + d * DAY + 12 * HOUR
        events.push({
          event: 'Experiment Viewed',
          anon,
          at,
          properties: { experimentId: 'early', variationId: variant },
        })
        if (i < converted)
          events.push({ event: 'Order Completed', anon, at: at + HOUR, revenue: 10, currency: 'EUR' })
      }
  })
  await fx.events(events)
})
afterAll(async () => fx?.close())

describe('the sequential p-value', () => {
  it('is the lowest of every daily look, so a test that once looked decided stays so, and the fixed one is not', async () => {
    const r = await experiment(fx.reader, { ...range, experiment: 'early', uplift: UPLIFT })
    const b = r.variants.find((v) => v.variant === 'b')
    expect(b).toMatchObject({ people: 1000, converted: 250 })
    expect(r.variants[0]).toMatchObject({ variant: 'control', people: 1000, converted: 250 })
    // now: no difference at all
    expect(b?.vsControl?.conversionRate.pValue).toBe(1)
    // the looks: each midnight from 2 June, the days before it added up
    const looks = DAYS.map((_, d) => {
      const sum = (k: 'control' | 'b') =>
        DAYS.slice(0, d + 1).reduce<[number, number]>(([n, x], day) => [n + day[k][0], x + day[k][1]], [0, 0])
      const [[n1, x1], [n2, x2]] = [sum('control'), sum('b')]
      return compareRates({ n: n1, x: x1 }, { n: n2, x: x2 }, UPLIFT * (x1 / n1)).sequentialPValue ?? 1
    })
    const lowest = Math.min(...looks)
    // the first day's look is the one that told: far under 0.05, where the last look's alone is 1
    expect(looks[0]).toBe(lowest)
    expect(lowest).toBeLessThan(1e-4)
    expect(looks.at(-1)).toBe(1)
    expect(b?.vsControl?.conversionRate.sequentialPValue).toBeCloseTo(lowest, 12)
    // revenue per person likewise (10 an order): 4 against 0.5 on the first day, the same now
    expect(b?.vsControl?.revenuePerPerson.pValue).toBe(1)
    expect(b?.vsControl?.revenuePerPerson.sequentialPValue).toBeLessThan(1e-4)
    // net of refunds, what an order kept at a past look is not known: revenue's is now's alone
    const net = await experiment(fx.reader, {
      ...range,
      experiment: 'early',
      uplift: UPLIFT,
      netOfRefunds: true,
    })
    const netB = net.variants.find((v) => v.variant === 'b')?.vsControl
    expect(netB?.revenuePerPerson.sequentialPValue).toBe(1)
    expect(netB?.conversionRate.sequentialPValue).toBeCloseTo(lowest, 12)
  })

  it('is read at each midnight of the range in its time zone, up to now, at most MAX_LOOKS spread over a long one', () => {
    const june = (day: number, hour = 0) => Date.UTC(2026, 5, day, hour)
    const [from, to] = [new Date(june(1)), new Date(june(8))]
    expect(dailyLooks(from, to, 'UTC', june(20))).toEqual([2, 3, 4, 5, 6, 7].map((d) => june(d)))
    // a test still running: the midnights so far
    expect(dailyLooks(from, to, 'UTC', june(3, 10))).toEqual([june(2), june(3)])
    // New York's midnights, four hours after UTC's in June
    expect(dailyLooks(new Date(june(1, 4)), new Date(june(4, 4)), 'America/New_York', june(20))).toEqual([
      june(2, 4),
      june(3, 4),
    ])
    // a year: 90 looks, the first and the last midnight among them
    const year = dailyLooks(new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2026, 0, 1)), 'UTC', june(20))
    expect(year).toHaveLength(MAX_LOOKS)
    expect([year[0], year.at(-1)]).toEqual([Date.UTC(2025, 0, 2), Date.UTC(2025, 11, 31)])
    expect(dailyLooks(from, to, 'UTC', june(1))).toEqual([])
  })
})
