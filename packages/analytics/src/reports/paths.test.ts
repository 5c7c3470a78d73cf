import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { paths } from './paths'

const T0 = Date.UTC(2026, 2, 2, 9)
const MIN = 60_000
const range = { project: PROJECT, from: '2026-03-01', to: '2026-03-08' }
const start = { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] }

const view = (anon: string, at: number, path: string): FixtureEvent => ({
  event: 'Page Viewed',
  anon,
  at,
  path,
})
const did = (anon: string, at: number, event: string, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  event,
  anon,
  at,
  ...extra,
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // a1: signs up and lands on the welcome page; an email open and tp.js's Page Left are no steps
    view('a1', T0, '/pricing'),
    did('a1', T0 + MIN, 'Email Opened', { source: 'email' }),
    did('a1', T0 + 2 * MIN, 'Page Left', { path: '/pricing' }),
    did('a1', T0 + 5 * MIN, 'Signup Started'),
    did('a1', T0 + 10 * MIN, 'Signed Up'),
    view('a1', T0 + 12 * MIN, '/welcome'),
    did('a1', T0 + 20 * MIN, 'Order Completed'),
    // a4: the same path
    view('a4', T0, '/pricing'),
    did('a4', T0 + 3 * MIN, 'Signup Started'),
    did('a4', T0 + 6 * MIN, 'Signed Up'),
    view('a4', T0 + 8 * MIN, '/welcome'),
    // a2: starts signing up and stops (its step stored twice: a retry)
    view('a2', T0, '/pricing'),
    did('a2', T0 + 2 * MIN, 'Signup Started', { id: '00000000-0000-4000-8000-0000000000d2' }),
    did('a2', T0 + 2 * MIN, 'Signup Started', { id: '00000000-0000-4000-8000-0000000000d2' }),
    // a7: the same, its next step in the same millisecond as the start
    view('a7', T0, '/pricing'),
    did('a7', T0, 'Signup Started'),
    // a3: nothing within the window; its second look an hour later is not where its path begins
    view('a3', T0, '/pricing'),
    view('a3', T0 + 60 * MIN, '/pricing'),
    // a5 never looked at pricing; a6 did, but before the range
    view('a5', T0, '/about'),
    view('a6', Date.UTC(2026, 1, 28, 9), '/pricing'),
    did('a6', Date.UTC(2026, 1, 28, 9, 5), 'Signup Started'),
  ])
})
afterAll(() => fx?.close())

describe('paths report', () => {
  it('lists what people did after their first start event, the commonest paths first', async () => {
    const r = await paths(fx.reader, { ...range, start })
    expect(r.people).toBe(5)
    expect(r.paths).toEqual([
      { steps: ['Signup Started', '(end)'], people: 2, share: 0.4 },
      { steps: ['Signup Started', 'Signed Up', 'Page Viewed /welcome'], people: 2, share: 0.4 },
      { steps: ['(end)'], people: 1, share: 0.2 },
    ])
    expect(r.next).toEqual([
      { step: 'Signup Started', people: 4, share: 0.8 },
      { step: '(end)', people: 1, share: 0.2 },
    ])
  })

  it("begins at each person's first page view when no start is given", async () => {
    const r = await paths(fx.reader, range)
    // a1 a2 a3 a4 a7 and a5's /about; a3's next view and a5's nothing within the window end theirs
    expect(r.people).toBe(6)
    expect(r.next).toEqual([
      { step: 'Signup Started', people: 4, share: 4 / 6 },
      { step: '(end)', people: 2, share: 2 / 6 },
    ])
  })

  it('takes as many steps and as long a window as asked, and lists at most `limit` paths', async () => {
    const one = await paths(fx.reader, { ...range, start, steps: 1 })
    expect(one.paths.map((x) => [x.steps, x.people])).toEqual([
      [['Signup Started'], 4],
      [['(end)'], 1],
    ])
    // in two hours a3 looked at pricing again
    const long = await paths(fx.reader, { ...range, start, steps: 1, window: '2h', limit: 1 })
    expect(long.paths).toEqual([{ steps: ['Signup Started'], people: 4, share: 0.8 }])
    expect(long.next.map((x) => x.step)).toEqual(['Signup Started'])
    const a3 = await paths(fx.reader, { ...range, start, steps: 1, window: '2h' })
    expect(a3.paths.at(-1)).toEqual({ steps: ['Page Viewed /pricing'], people: 1, share: 0.2 })
  })
})
