import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { funnel } from '../funnel'
import { compareMeans, compareRates } from '../significance'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { experiment, experiments } from './experiments'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 5, 1, 12)
const range = { project: PROJECT, from: '2026-06-01', to: '2026-06-08' }
const RETRY = '00000000-0000-8000-8000-0000000000e1'

const seen = (
  person: string,
  variant: string | number,
  at: number,
  extra: Partial<FixtureEvent> = {},
): FixtureEvent => ({
  event: 'Experiment Viewed',
  anon: person,
  at,
  properties: { experimentId: 'pricing', variationId: variant },
  ...extra,
})
const order = (person: string, at: number, revenue: number, as: 'anon' | 'user' = 'anon'): FixtureEvent => ({
  event: 'Order Completed',
  [as]: person,
  at,
  revenue,
  currency: 'EUR',
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // control: c1 buys within the window; c2 only after it; c3 only before being shown it; c4 never
    seen('c1', 'control', T0),
    seen('c2', 'control', T0),
    seen('c3', 'control', T0 + DAY),
    seen('c4', 'control', T0),
    order('c1', T0 + 2 * DAY, 10),
    order('c2', T0 + 15 * DAY, 99),
    order('c3', T0, 99),
    // B: b1 buys twice (and was shown it twice, one of them a retry), b2 once, b3 and b4 never
    seen('b1', 'B', T0, { id: RETRY }),
    seen('b1', 'B', T0, { id: RETRY }),
    seen('b1', 'B', T0 + DAY),
    seen('b2', 'B', T0),
    seen('b3', 'B', T0),
    seen('b4', 'B', T0),
    order('b1', T0 + DAY, 20),
    order('b1', T0 + 3 * DAY, 30),
    order('b2', T0 + 13 * DAY, 40),
    // b5 is shown B anonymously and buys after signing in: one person
    seen('anon-b5', 'B', T0),
    order('user-b5', T0 + DAY, 60, 'user'),
    // m1 is shown both: left out; a bot, and an exposure before the range: not counted
    seen('m1', 'control', T0),
    seen('m1', 'B', T0 + DAY),
    order('m1', T0 + 2 * DAY, 500),
    seen('bot', 'B', T0, { is_bot: 1 }),
    seen('early', 'B', T0 - 3 * DAY),
    // another test, with Segment's spelling and GrowthBook's variation indexes
    {
      event: 'Experiment Viewed',
      anon: 'o1',
      at: T0,
      properties: { experiment_id: 'onboarding', variation_id: 0 },
    },
    {
      event: 'Experiment Viewed',
      anon: 'o2',
      at: T0,
      properties: { experiment_id: 'onboarding', variation_id: 1 },
    },
  ])
  await fx.link('anon-b5', 'user-b5', T0 + DAY - 60_000)
})
afterAll(() => fx?.close())

describe('experiments', () => {
  it('lists the tests running, with the people shown each variant', async () => {
    const r = await experiments(fx.reader, range)
    expect(r.total.experiments).toBe(2)
    expect(r.rows.map((x) => [x.experiment, x.people, x.variants])).toEqual([
      [
        'pricing',
        10,
        [
          { variant: 'B', people: 6 },
          { variant: 'control', people: 5 },
        ],
      ],
      [
        'onboarding',
        2,
        [
          { variant: '0', people: 1 },
          { variant: '1', people: 1 },
        ],
      ],
    ])
    expect(r.rows[0]).toMatchObject({
      firstSeen: new Date(T0).toISOString(),
      lastSeen: new Date(T0 + DAY).toISOString(),
    })
  })

  it('sets each variant’s conversions within the window beside the control’s, with their significance', async () => {
    const r = await experiment(fx.reader, { ...range, experiment: 'pricing' })
    expect(r.control).toBe('control')
    expect(r.mixed).toBe(1)
    expect(r.windowSeconds).toBe(14 * 86_400)
    expect(r.currencies).toEqual(['EUR'])
    const [control, b] = r.variants
    expect(control).toEqual({
      variant: 'control',
      people: 4,
      converted: 1,
      conversionRate: 0.25,
      conversions: 1,
      revenue: 10,
      revenuePerPerson: 2.5,
      vsControl: null,
    })
    expect(b).toMatchObject({
      variant: 'B',
      people: 5,
      converted: 3,
      conversionRate: 0.6,
      conversions: 4,
      revenue: 150,
    })
    expect(b?.revenuePerPerson).toBeCloseTo(30, 9)
    // the sequential p-value for a difference of the planned +10% on the control's 25%
    expect(b?.vsControl?.conversionRate).toEqual({
      ...compareRates({ n: 4, x: 1 }, { n: 5, x: 3 }, 0.1 * 0.25),
      uplift: expect.closeTo(1.4, 9),
    })
    // revenue per person: control 10, 0, 0, 0; B 50, 40, 0, 0, 60
    const variance = (xs: number[]) => {
      const m = xs.reduce((a, x) => a + x, 0) / xs.length
      return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
    }
    const expected = compareMeans(
      { n: 4, mean: 2.5, variance: variance([10, 0, 0, 0]) },
      { n: 5, mean: 30, variance: variance([50, 40, 0, 0, 60]) },
    )
    expect(b?.vsControl?.revenuePerPerson.pValue).toBeCloseTo(expected.pValue ?? -1, 9)
    const sequential = compareMeans(
      { n: 4, mean: 2.5, variance: variance([10, 0, 0, 0]) },
      { n: 5, mean: 30, variance: variance([50, 40, 0, 0, 60]) },
      0.1 * 2.5,
    ).sequentialPValue
    expect(b?.vsControl?.revenuePerPerson.sequentialPValue).toBeCloseTo(sequential ?? -1, 9)
    expect(b?.vsControl?.revenuePerPerson.uplift).toBeCloseTo(11, 9)
  })

  it('takes the window, the control and the conversion asked for, and the other spellings', async () => {
    const short = await experiment(fx.reader, { ...range, experiment: 'pricing', window: '2d' })
    expect(short.variants.map((v) => [v.variant, v.converted, v.revenue])).toEqual([
      ['control', 1, 10],
      ['B', 2, 80],
    ])
    const other = await experiment(fx.reader, {
      ...range,
      experiment: 'pricing',
      conversion: { event: 'Signed Up' },
    })
    expect(other.variants.map((v) => [v.variant, v.people, v.converted])).toEqual([
      ['control', 4, 0],
      ['B', 5, 0],
    ])
    const flipped = await experiment(fx.reader, { ...range, experiment: 'pricing', control: 'B' })
    expect(flipped.variants.map((v) => v.variant)).toEqual(['B', 'control'])
    expect(flipped.variants[1]?.vsControl?.conversionRate.difference).toBeCloseTo(-0.35, 9)
    const onboarding = await experiment(fx.reader, { ...range, experiment: 'onboarding' })
    expect(onboarding.control).toBe('0')
    expect(onboarding.variants.map((v) => [v.variant, v.people, v.converted])).toEqual([
      ['0', 1, 0],
      ['1', 1, 0],
    ])
    expect(onboarding.variants[1]?.vsControl?.conversionRate.uplift).toBeNull()
    const none = await experiment(fx.reader, { ...range, experiment: 'nope' })
    expect(none).toMatchObject({ control: null, variants: [], mixed: 0 })
  })
})

describe('a funnel by variant', () => {
  it('follows each variant step by step, as docs/analytics.md shows', async () => {
    const r = await funnel(fx.reader, {
      ...range,
      window: 14 * 86_400,
      steps: [
        {
          event: 'Experiment Viewed',
          filters: [{ property: 'properties.experimentId', op: 'eq', value: 'pricing' }],
        },
        { event: 'Order Completed' },
      ],
      breakdown: 'properties.variationId',
    })
    // a funnel counts each person once, by the chain it counts: m1, shown both and buying after, counts in the
    // variant of that chain's step 1 (control), where the experiments report leaves them out
    const byVariant = Object.fromEntries(
      (r.breakdown ?? []).map((b) => [b.value, b.steps.map((s) => s.people)]),
    )
    expect(byVariant).toEqual({ control: [5, 2], B: [5, 3] })
    expect(r.steps.map((s) => s.people)).toEqual([10, 5])
  })
})

describe('examples/queries/experiment.sql', () => {
  it('counts what the API counts, the people shown two variants in a row of their own', async () => {
    const sql = readFileSync(new URL('../../../../examples/queries/experiment.sql', import.meta.url), 'utf8')
    const rs = await fx.ch.readonly.query({
      query: sql.trim(),
      query_params: {
        project: PROJECT,
        from: '2026-06-01 00:00:00',
        to: '2026-06-08 00:00:00',
        experiment: 'pricing',
        conversion: 'Order Completed',
        window: 14 * 86_400,
      },
      format: 'JSONEachRow',
    })
    const rows = (await rs.json()) as Array<Record<string, unknown>>
    const api = await experiment(fx.reader, { ...range, experiment: 'pricing' })
    const fromSql = new Map(rows.map((r) => [String(r.variant), r]))
    for (const v of api.variants)
      expect([
        v.variant,
        Number(fromSql.get(v.variant)?.people),
        Number(fromSql.get(v.variant)?.converted),
      ]).toEqual([v.variant, v.people, v.converted])
    expect(rows.map((r) => [r.variant, Number(r.conversions), Number(r.revenue)])).toEqual([
      ['(mixed)', api.mixed, 500],
      ['B', 4, 150],
      ['control', 1, 10],
    ])
  })
})
