import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { funnel } from './funnel'
import { funnelPeople } from './funnel-people'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from './testing/fixture'

const T0 = Date.UTC(2026, 0, 5, 10) // a Monday, 10:00 UTC
const MIN = 60_000
const HOUR = 60 * MIN
const FROM = new Date(T0).toISOString()
const TO_MS = T0 + 24 * HOUR
const TO = new Date(TO_MS).toISOString()

const pricing = (anon: string, at: number, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  event: 'Page Viewed',
  path: '/pricing',
  anon,
  at,
  ...extra,
})
const started = (anon: string, at: number, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  event: 'Signup Started',
  anon,
  at,
  ...extra,
})
const signed = (anon: string, at: number, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  event: 'Signed Up',
  anon,
  at,
  ...extra,
})

const STEPS = [
  { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] },
  { event: 'Signup Started' },
  { event: 'Signed Up' },
]

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const to = T0 + 24 * HOUR
  await fx.events([
    // p1: a plain three-step chain, 10 minutes apart
    pricing('a1', T0, { channel: 'Email' }),
    started('a1', T0 + 10 * MIN),
    signed('a1', T0 + 20 * MIN),
    // p2: steps 1 and 2 at the same millisecond count as ordered (t1 ≤ t2)
    pricing('a2', T0),
    started('a2', T0),
    // p3: step 3 exactly one window after step 1 is inside (the window is inclusive)
    pricing('a3', T0),
    started('a3', T0 + 30 * MIN),
    signed('a3', T0 + HOUR),
    // p4: one millisecond later is outside
    pricing('a4', T0),
    started('a4', T0 + 30 * MIN),
    signed('a4', T0 + HOUR + 1),
    // p5: step 1 repeated; only the second start completes within the window
    pricing('a5', T0),
    pricing('a5', T0 + 2 * HOUR),
    started('a5', T0 + 2 * HOUR + 30 * MIN),
    signed('a5', T0 + 2 * HOUR + 40 * MIN),
    // p6: logs in mid-funnel; the last step comes from another device with only the user id
    pricing('a6', T0),
    { event: 'Identify', anon: 'a6', user: 'u6', at: T0 + 5 * MIN },
    started('a6', T0 + 10 * MIN, { user: 'u6' }),
    signed('other-device', T0 + 15 * MIN, { user: 'u6' }),
    // p7: the same event id twice is one event
    pricing('a7', T0 + HOUR, { id: '00000000-0000-4000-8000-000000000007' }),
    pricing('a7', T0 + HOUR, { id: '00000000-0000-4000-8000-000000000007' }),
    // p8: step 1 before `from` does not enter
    pricing('a8', T0 - 1),
    started('a8', T0 + MIN),
    // p9: step 1 just before `to`; step 2 after `to` still counts
    pricing('a9', to - MIN),
    started('a9', to + 10 * MIN),
    // p10: another page is not step 1
    pricing('a10', T0, { path: '/about' }),
    // p11: steps out of order reach only step 1
    started('a11', T0),
    pricing('a11', T0 + 5 * MIN),
    signed('a11', T0 + 10 * MIN),
    // a bot is nobody
    pricing('bot', T0, { is_bot: 1 }),
    started('bot', T0 + MIN, { is_bot: 1 }),
  ])
  await fx.link('a6', 'u6', T0 + 5 * MIN)
})
afterAll(async () => fx?.close())

describe('funnel, ordered', () => {
  it('counts people at their furthest step, with the edge cases worked out by hand', async () => {
    const r = await funnel(fx.reader, { project: PROJECT, from: FROM, to: TO, steps: STEPS, window: '1h' })
    // step 1: p1 p2 p3 p4 p5 p6 p7 p9 p11; step 2: p1 p2 p3 p4 p5 p6 p9; step 3: p1 p3 p5 p6
    expect(r.steps.map((s) => s.people)).toEqual([9, 7, 4])
    expect(r.steps.map((s) => s.dropOff)).toEqual([0, 2, 3])
    expect(r.steps[1]?.conversionFromFirst).toBeCloseTo(7 / 9, 10)
    expect(r.steps[2]?.conversionFromPrevious).toBeCloseTo(4 / 7, 10)
    expect(r.steps[2]?.conversionFromFirst).toBeCloseTo(4 / 9, 10)
  })

  it('labels each step by its filters, as the CLI writes them, unless it is given a label', async () => {
    const steps = [
      STEPS[0]!,
      {
        event: 'Signup Started',
        filters: [
          { property: 'properties.plan', op: 'in' as const, value: ['pro', 'team'] },
          { property: 'properties.seats', op: 'gte' as const, value: 2 },
        ],
      },
      { ...STEPS[2]!, label: 'Signed up' },
    ]
    const r = await funnel(fx.reader, { project: PROJECT, from: FROM, to: TO, steps, window: '1h' })
    expect(r.steps.map((s) => [s.event, s.label])).toEqual([
      ['Page Viewed', 'Page Viewed[path=/pricing]'],
      ['Signup Started', 'Signup Started[properties.plan in (pro | team), properties.seats>=2]'],
      ['Signed Up', 'Signed up'],
    ])
  })

  it('times each step from the previous one on the counted chain', async () => {
    const r = await funnel(fx.reader, { project: PROJECT, from: FROM, to: TO, steps: STEPS, window: 3600 })
    // step 2 seconds: p1 600, p2 0, p3 1800, p4 1800, p5 1800 (second start), p6 600, p9 660
    // sorted 0 600 600 660 1800 1800 1800: median 660; p90 at rank 5.4 → 1800
    expect(r.steps[0]?.medianSecondsFromPrevious).toBeNull()
    expect(r.steps[1]?.medianSecondsFromPrevious).toBe(660)
    expect(r.steps[1]?.p90SecondsFromPrevious).toBe(1800)
    // step 3 seconds: p1 600, p3 1800, p5 600, p6 300 → sorted 300 600 600 1800: median 600; p90 600 + 0.7·1200
    expect(r.steps[2]?.medianSecondsFromPrevious).toBe(600)
    expect(r.steps[2]?.p90SecondsFromPrevious).toBeCloseTo(1440, 6)
  })
})

describe('funnel, strict and any-order', () => {
  const STRICT = 'strict-project'
  beforeAll(async () => {
    const events: FixtureEvent[] = [
      // s1: another event between steps 1 and 2 ends the strict chain
      pricing('s1', T0),
      { event: 'Page Viewed', path: '/about', anon: 's1', at: T0 + MIN },
      started('s1', T0 + 2 * MIN),
      signed('s1', T0 + 3 * MIN),
      // s2: consecutive steps
      pricing('s2', T0),
      started('s2', T0 + MIN),
      signed('s2', T0 + 2 * MIN),
      // y1: all three steps, in reverse order
      signed('y1', T0),
      started('y1', T0 + 5 * MIN),
      pricing('y1', T0 + 10 * MIN),
      // y2: step 2 more than a window before step 1
      started('y2', T0),
      pricing('y2', T0 + 2 * HOUR),
      // y3: steps 1 and 3 without 2 reach step 1 only
      pricing('y3', T0),
      signed('y3', T0 + 5 * MIN),
    ]
    await fx.events(events.map((e) => ({ ...e, project: STRICT })))
  })

  it('strict mode ends a chain at any other event of the person', async () => {
    const ordered = await funnel(fx.reader, {
      project: STRICT,
      from: FROM,
      to: TO,
      steps: STEPS,
      window: '1h',
    })
    const strictR = await funnel(fx.reader, {
      project: STRICT,
      from: FROM,
      to: TO,
      steps: STEPS,
      window: '1h',
      mode: 'strict',
    })
    // ordered: s1 s2 y1 y2 y3 enter; s1 s2 reach 3; y1 y2 y3 stay at 1
    expect(ordered.steps.map((s) => s.people)).toEqual([5, 2, 2])
    // strict: s1 stops at step 1 (the /about view came between)
    expect(strictR.steps.map((s) => s.people)).toEqual([5, 1, 1])
  })

  it('any-order mode needs all steps inside one window, in any order', async () => {
    const r = await funnel(fx.reader, {
      project: STRICT,
      from: FROM,
      to: TO,
      steps: STEPS,
      window: '1h',
      mode: 'any',
    })
    // s1 s2 y1 reach 3; y2's step 2 is two hours before its step 1; y3 lacks step 2
    expect(r.steps.map((s) => s.people)).toEqual([5, 3, 3])
    expect(r.steps[1]?.medianSecondsFromPrevious).toBeNull()
  })
})

describe('funnel breakdown', () => {
  it('splits by the field at step 1 and keeps the totals', async () => {
    const r = await funnel(fx.reader, {
      project: PROJECT,
      from: FROM,
      to: TO,
      steps: STEPS,
      window: '1h',
      breakdown: 'channel',
    })
    expect(r.steps.map((s) => s.people)).toEqual([9, 7, 4])
    // p1 came by email; everyone else is Direct
    expect(r.breakdown?.map((b) => [b.value, b.steps.map((s) => s.people)])).toEqual([
      ['Direct', [8, 6, 3]],
      ['Email', [1, 1, 1]],
    ])
    expect(r.breakdown?.[1]?.steps[1]?.medianSecondsFromPrevious).toBe(600)
  })
})

describe('funnel lengths', () => {
  const LONG = 'long-project'
  const STEP_NAMES = Array.from({ length: 20 }, (_, i) => `Step ${i + 1}`)
  const at = (anon: string, steps: number[], start: number): FixtureEvent[] =>
    steps.map((s, i) => ({ event: `Step ${s}`, anon, at: start + i * MIN, project: LONG }))
  const all = Array.from({ length: 20 }, (_, i) => i + 1)
  beforeAll(async () => {
    await fx.events([
      // l1: all twenty steps, a minute apart
      ...at('l1', all, T0),
      // l2: the first ten
      ...at('l2', all.slice(0, 10), T0),
      // l3: a first start that goes nowhere, then all twenty steps from a second start two hours later
      ...at('l3', [1], T0),
      ...at('l3', all, T0 + 2 * HOUR),
    ])
  })

  it('counts and times a twenty-step funnel, the most a request may have, in every mode and with a breakdown', async () => {
    const request = {
      project: LONG,
      from: FROM,
      to: TO,
      steps: STEP_NAMES.map((event) => ({ event })),
      window: '1h',
    }
    const expected = all.map((s) => (s <= 10 ? 3 : 2))
    for (const mode of ['ordered', 'strict'] as const) {
      const r = await funnel(fx.reader, { ...request, mode })
      expect(r.steps.map((s) => s.people)).toEqual(expected)
      // every counted chain, l3's from its second start, takes a minute a step
      expect(r.steps.slice(1).map((s) => s.medianSecondsFromPrevious)).toEqual(all.slice(1).map(() => 60))
    }
    const any = await funnel(fx.reader, { ...request, mode: 'any' })
    expect(any.steps.map((s) => s.people)).toEqual(expected)
    const breakdown = await funnel(fx.reader, { ...request, breakdown: 'channel' })
    expect(breakdown.breakdown?.map((b) => [b.value, b.steps.map((s) => s.people)])).toEqual([
      ['Direct', expected],
    ])
  })

  it('counts a one-step funnel', async () => {
    const r = await funnel(fx.reader, {
      project: PROJECT,
      from: FROM,
      to: TO,
      steps: [STEPS[0]!],
      window: '1h',
    })
    expect(r.steps.map((s) => s.people)).toEqual([9])
    expect(r.steps[0]?.medianSecondsFromPrevious).toBeNull()
  })
})

describe('funnel people', () => {
  const request = { project: PROJECT, from: FROM, to: TO, steps: STEPS, window: '1h' }
  const ids = async (outcome: 'reached' | 'dropped', step: number, extra = {}) => {
    const r = await funnelPeople(fx.reader, { ...request, outcome, step, ...extra })
    return { total: r.total, people: r.people.map((p) => p.person).sort() }
  }

  it('lists exactly the people behind each count and drop-off of the funnel', async () => {
    // the hand-worked counts above: step 2 loses p7 and p11, step 3 loses p2, p4 and p9
    expect(await ids('dropped', 2)).toEqual({ total: 2, people: ['a11', 'a7'] })
    expect(await ids('dropped', 3)).toEqual({ total: 3, people: ['a2', 'a4', 'a9'] })
    // p6 finished on another device under its user id: one person, named by that id
    expect(await ids('reached', 3)).toEqual({ total: 4, people: ['a1', 'a3', 'a5', 'u6'] })
    const f = await funnel(fx.reader, request)
    for (const [i, s] of f.steps.entries()) {
      expect((await ids('reached', i + 1)).total).toBe(s.people)
      if (i > 0) expect((await ids('dropped', i + 1)).total).toBe(s.dropOff)
    }
  })

  it("gives each person's counted chain, latest to enter first, and cuts the list at the limit", async () => {
    const r = await funnelPeople(fx.reader, { ...request, outcome: 'reached', step: 3 })
    const a5 = r.people.find((p) => p.person === 'a5')
    // a5's first visit to /pricing went nowhere; its second, two hours later, is the chain that counts
    expect(a5).toEqual({
      person: 'a5',
      stepsReached: 3,
      enteredAt: new Date(T0 + 2 * HOUR).toISOString(),
      stepTimes: [T0 + 2 * HOUR, T0 + 2 * HOUR + 30 * MIN, T0 + 2 * HOUR + 40 * MIN].map((t) =>
        new Date(t).toISOString(),
      ),
    })
    expect(r.people[0]?.person).toBe('a5')
    const firstTwo = await funnelPeople(fx.reader, { ...request, outcome: 'reached', step: 3, limit: 2 })
    expect(firstTwo.total).toBe(4)
    expect(firstTwo.people.map((p) => p.person)).toEqual(r.people.slice(0, 2).map((p) => p.person))
    // the next page, and one past the end, which still says how many there are
    const nextTwo = await funnelPeople(fx.reader, {
      ...request,
      outcome: 'reached',
      step: 3,
      limit: 2,
      offset: 2,
    })
    expect(nextTwo.people.map((p) => p.person)).toEqual(r.people.slice(2).map((p) => p.person))
    const past = await funnelPeople(fx.reader, { ...request, outcome: 'reached', step: 3, offset: 10 })
    expect(past).toMatchObject({ total: 4, people: [] })
    const dropped = await funnelPeople(fx.reader, { ...request, outcome: 'dropped', step: 3 })
    expect(dropped.people.find((p) => p.person === 'a9')?.stepTimes).toEqual(
      [TO_MS - MIN, TO_MS + 10 * MIN].map((t) => new Date(t).toISOString()),
    )
  })

  it("pages by person with after: in the ids' order, each person once, the total everyone's", async () => {
    const reached = { ...request, outcome: 'reached' as const, step: 1, limit: 3 }
    const everyone = (await funnelPeople(fx.reader, { ...reached, limit: 100 })).people.map((p) => p.person)
    const pages: string[][] = []
    for (let after = ''; ; ) {
      const page = await funnelPeople(fx.reader, { ...reached, after })
      expect(page.total).toBe(everyone.length)
      pages.push(page.people.map((p) => p.person))
      if (page.people.length < reached.limit) break
      after = page.people[page.people.length - 1]!.person
    }
    // 9 people entered: pages of 3, 3, 3 and an empty one that still gives the total
    expect(pages.map((x) => x.length)).toEqual([3, 3, 3, 0])
    expect(pages.flat()).toEqual([...everyone].sort())
    // a page after the last person in the middle of the list begins with the next one
    const mid = await funnelPeople(fx.reader, { ...reached, after: 'a4' })
    // (p6 finished under its user id, u6: the ids in order are a1 a11 a2 a3 a4 a5 a7 a9 u6)
    expect(mid.people.map((p) => p.person)).toEqual(['a5', 'a7', 'a9'])
    await expect(funnelPeople(fx.reader, { ...reached, after: 'a1', offset: 3 })).rejects.toThrow(/offset/)
  })

  it('narrows to one value of a breakdown, and follows strict and any-order counting', async () => {
    const email = await funnelPeople(fx.reader, {
      ...request,
      outcome: 'reached',
      step: 1,
      breakdown: 'channel',
      value: 'Email',
    })
    expect(email.people.map((p) => [p.person, p.value])).toEqual([['a1', 'Email']])
    const strictRequest = { ...request, project: 'strict-project' }
    // strict: s1's /about view between its steps stops it at step 1
    const strict = await funnelPeople(fx.reader, {
      ...strictRequest,
      mode: 'strict',
      outcome: 'dropped',
      step: 2,
    })
    expect(strict.people.map((p) => p.person).sort()).toEqual(['s1', 'y1', 'y2', 'y3'])
    const any = await funnelPeople(fx.reader, { ...strictRequest, mode: 'any', outcome: 'reached', step: 3 })
    expect(any.people.map((p) => p.person).sort()).toEqual(['s1', 's2', 'y1'])
    // y1 did its steps in reverse: it entered at its /pricing view, ten minutes after its first step
    expect(any.people.find((p) => p.person === 'y1')).toMatchObject({
      enteredAt: new Date(T0 + 10 * MIN).toISOString(),
      stepTimes: null,
    })
  })

  it('gives each person listed the latest value of the traits asked for, from any of their events', async () => {
    await fx.events([
      // p6, by its anonymous id and then by its user id on another device: the later email wins, the plan stays
      { event: 'Identify', anon: 'a6', traits: { email: 'six@example.com', plan: 'pro' }, at: T0 + 6 * MIN },
      { event: 'Identify', user: 'u6', traits: { email: 'six@new.example', score: 7 }, at: T0 + 3 * HOUR },
      // p1, a day before the range: traits from any time
      { event: 'Identify', anon: 'a1', traits: { email: 'one@example.com', plan: null }, at: T0 - 24 * HOUR },
    ])
    const r = await funnelPeople(fx.reader, {
      ...request,
      outcome: 'reached',
      step: 3,
      traits: ['email', 'plan', 'score'],
    })
    const traits = Object.fromEntries(r.people.map((p) => [p.person, p.traits]))
    expect(traits).toEqual({
      u6: { email: 'six@new.example', plan: 'pro', score: '7' },
      a1: { email: 'one@example.com', plan: null, score: null },
      a3: { email: null, plan: null, score: null },
      a5: { email: null, plan: null, score: null },
    })
    // without traits asked for, none are given
    const plain = await funnelPeople(fx.reader, { ...request, outcome: 'reached', step: 3 })
    expect(plain.people[0]).not.toHaveProperty('traits')
  })

  it('refuses a step the funnel does not have, a drop-out at step 1 and a value without a breakdown', async () => {
    const refused = async (extra: object) => {
      const err = await funnelPeople(fx.reader, { ...request, outcome: 'reached', step: 1, ...extra }).catch(
        (e: unknown) => e,
      )
      return (err as { issues?: Array<{ path: unknown[]; message: string }> }).issues?.[0]
    }
    expect(await refused({ step: 4 })).toMatchObject({
      path: ['step'],
      message: expect.stringContaining('(3)'),
    })
    expect(await refused({ outcome: 'dropped' })).toMatchObject({ path: ['step'] })
    expect(await refused({ value: 'Email' })).toMatchObject({ path: ['value'] })
  })
})
