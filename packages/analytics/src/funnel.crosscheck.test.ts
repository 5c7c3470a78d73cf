import { afterAll, beforeAll, expect, it } from 'vitest'
import { funnel } from './funnel'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from './testing/fixture'

/**
 * The SQL funnel against a brute-force reference written from the definition, on random people: every chain
 * of every person is tried, so the SQL's shortcuts (windowFunnel, greedy chains, masks) must agree with it.
 */
const T0 = Date.UTC(2026, 1, 2)
const MIN = 60_000
const WINDOW = 30 * MIN
const FROM = T0 + 60 * MIN
const TO = T0 + 180 * MIN
const NAMES = ['A', 'B', 'C', 'D']

type Ev = { step: number; t: number }

function random(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Furthest step of an ordered chain t1 ≤ … ≤ tk, tk − t1 ≤ window, step 1 in [from, to). */
function orderedLevel(evs: Ev[]): number {
  let best = 0
  const extend = (level: number, start: number, last: number) => {
    best = Math.max(best, level)
    for (const e of evs)
      if (e.step === level && e.t >= last && e.t - start <= WINDOW) extend(level + 1, start, e.t)
  }
  for (const e of evs) if (e.step === 0 && e.t >= FROM && e.t < TO) extend(1, e.t, e.t)
  return best
}

/** Furthest k with steps 1..k in one window in any order, the step-1 event in [from, to). */
function anyOrderLevel(evs: Ev[]): number {
  let best = 0
  for (const s of evs) {
    const inside = evs.filter((e) => e.t >= s.t && e.t <= s.t + WINDOW)
    let k = 0
    while (inside.some((e) => e.step === k && (k > 0 || (e.t >= FROM && e.t < TO)))) k++
    best = Math.max(best, k)
  }
  return best
}

let fx: Fixture
const people = new Map<string, Ev[]>()
beforeAll(async () => {
  fx = await openFixture()
  const rnd = random(42)
  const events: FixtureEvent[] = []
  for (let p = 0; p < 1500; p++) {
    const evs: Ev[] = []
    const n = 2 + Math.floor(rnd() * 11)
    for (let i = 0; i < n; i++) {
      // whole minutes, so that equal timestamps and exact window boundaries happen often
      evs.push({ step: Math.floor(rnd() * NAMES.length), t: T0 + 40 * MIN + Math.floor(rnd() * 160) * MIN })
    }
    people.set(`p${p}`, evs)
    for (const e of evs) events.push({ event: NAMES[e.step] as string, anon: `p${p}`, at: e.t })
  }
  await fx.events(events)
})
afterAll(async () => fx?.close())

const request = (mode: 'ordered' | 'any') => ({
  project: PROJECT,
  from: new Date(FROM).toISOString(),
  to: new Date(TO).toISOString(),
  steps: NAMES.map((event) => ({ event })),
  window: WINDOW / 1000,
  mode,
})

const expected = (level: (evs: Ev[]) => number) =>
  NAMES.map((_, k) => [...people.values()].filter((evs) => level(evs) >= k + 1).length)

it('ordered mode matches the brute-force reference', async () => {
  const r = await funnel(fx.reader, request('ordered'))
  const counts = r.steps.map((s) => s.people)
  expect(counts).toEqual(expected(orderedLevel))
  expect(counts[3]).toBeGreaterThan(5)
  for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1] as number)
})

it('any-order mode matches the brute-force reference', async () => {
  const r = await funnel(fx.reader, request('any'))
  const counts = r.steps.map((s) => s.people)
  expect(counts).toEqual(expected(anyOrderLevel))
  for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1] as number)
})

/**
 * The chain that times a person, from the definition: for each step-1 event in range, each next step is the
 * earliest event of it at or after the previous one within the window; the chain reaching furthest counts,
 * the latest start of those.
 */
function orderedChain(evs: Ev[]): number[] {
  let best: number[] = []
  for (const first of evs) {
    if (first.step !== 0 || first.t < FROM || first.t >= TO) continue
    const chain = [first.t]
    for (let k = 1; k < NAMES.length; k++) {
      const at = evs
        .filter((e) => e.step === k && e.t >= chain[k - 1]! && e.t <= first.t + WINDOW)
        .reduce((m, e) => Math.min(m, e.t), Number.POSITIVE_INFINITY)
      if (!Number.isFinite(at)) break
      chain.push(at)
    }
    if (chain.length > best.length || (chain.length === best.length && chain[0]! > best[0]!)) best = chain
  }
  return best
}

/** ClickHouse's quantileExactInclusive: linear interpolation between the closest ranks. */
function quantileInclusive(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  const h = (s.length - 1) * q
  const lo = Math.floor(h)
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!)
}

it('ordered mode times each step like the reference chains', async () => {
  const r = await funnel(fx.reader, request('ordered'))
  const chains = [...people.values()].map(orderedChain)
  for (let k = 1; k < NAMES.length; k++) {
    const gaps = chains.filter((c) => c.length > k).map((c) => (c[k]! - c[k - 1]!) / 1000)
    expect(r.steps[k]?.medianSecondsFromPrevious).toBeCloseTo(quantileInclusive(gaps, 0.5), 6)
    expect(r.steps[k]?.p90SecondsFromPrevious).toBeCloseTo(quantileInclusive(gaps, 0.9), 6)
  }
})
