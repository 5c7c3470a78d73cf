import { afterAll, beforeAll, expect, it } from 'vitest'
import { attribution } from './attribution/attribution'
import { funnel } from './funnel'
import { generateSynthetic } from './synthetic'
import { type Fixture, openFixture, PROJECT } from './testing/fixture'

/** Cross-checks on generated traffic: invariants that must hold whatever the data. */
let fx: Fixture
const from = new Date(Date.UTC(2026, 5, 1))
beforeAll(async () => {
  fx = await openFixture()
  await generateSynthetic(fx.ch, { project: PROJECT, events: 60_000, from, days: 14, chunk: 25_000 })
})
afterAll(async () => fx?.close())

const range = { project: PROJECT, from: '2026-06-01', to: '2026-06-15' }
const steps = [
  { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] },
  { event: 'Signup Started' },
  { event: 'Signed Up' },
  { event: 'Order Completed' },
]

it('funnel step counts never increase, in every mode', async () => {
  for (const mode of ['ordered', 'strict', 'any'] as const) {
    const r = await funnel(fx.reader, { ...range, steps, window: '1h', mode })
    const people = r.steps.map((s) => s.people)
    expect(people[0], mode).toBeGreaterThan(100)
    for (let i = 1; i < people.length; i++)
      expect(people[i], mode).toBeLessThanOrEqual(people[i - 1] as number)
  }
})

it("every model's credited conversions sum to the number of conversions", async () => {
  for (const by of ['channel', 'campaign'] as const) {
    const r = await attribution(fx.reader, { ...range, conversion: { event: 'Order Completed' }, by })
    expect(r.conversions).toBeGreaterThan(100)
    for (const m of r.models) {
      expect(m.totals.conversions, `${by} ${m.model}`).toBeCloseTo(r.conversions, 6)
      expect(m.totals.revenue, `${by} ${m.model}`).toBeCloseTo(r.revenue, 2)
    }
  }
})
