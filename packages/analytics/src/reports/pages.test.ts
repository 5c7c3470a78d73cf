import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { funnel } from '../funnel'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { pages } from './pages'

const T0 = Date.UTC(2026, 3, 1, 10)
const MIN = 60_000
const DAY = 86_400_000
const range = { project: PROJECT, from: '2026-04-01', to: '2026-04-08' }
const view = (anon: string, session: string, at: number, path: string, extra: Partial<FixtureEvent> = {}) =>
  ({ event: 'Page Viewed', anon, session, at, path, ...extra }) satisfies FixtureEvent
const left = (
  anon: string,
  session: string,
  at: number,
  path: string,
  properties: Record<string, unknown>,
  id?: string,
) => ({ event: 'Page Left', anon, session, at, path, properties, ...(id && { id }) }) satisfies FixtureEvent

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // s1: enters by /, reads the pricing, leaves from the sign-up page
    view('a1', 's1', T0, '/'),
    left('a1', 's1', T0 + MIN - 1, '/', { engagedMs: 10_000, scrollDepth: 50 }),
    view('a1', 's1', T0 + MIN, '/pricing'),
    left('a1', 's1', T0 + 2 * MIN - 1, '/pricing', { engagedMs: 30_000, scrollDepth: 100 }),
    view('a1', 's1', T0 + 2 * MIN, '/signup'),
    // s2: the pricing page alone, its view and its Page Left each stored twice (retries count once)
    view('a2', 's2', T0 + 60 * MIN, '/pricing', { id: '00000000-0000-8000-8000-000000000001' }),
    view('a2', 's2', T0 + 60 * MIN, '/pricing', { id: '00000000-0000-8000-8000-000000000001' }),
    left(
      'a2',
      's2',
      T0 + 61 * MIN,
      '/pricing',
      { engagedMs: 20_000, scrollDepth: 40 },
      '00000000-0000-8000-8000-000000000002',
    ),
    left(
      'a2',
      's2',
      T0 + 61 * MIN,
      '/pricing',
      { engagedMs: 20_000, scrollDepth: 40 },
      '00000000-0000-8000-8000-000000000002',
    ),
    // s3: a1 the next day, / then the pricing page
    view('a1', 's3', T0 + DAY, '/'),
    view('a1', 's3', T0 + DAY + MIN, '/pricing'),
    // s4: a4 (the same person as a1) bounces from /; its Page Left events measure nothing usable
    view('a4', 's4', T0 + 2 * DAY, '/'),
    left('a4', 's4', T0 + 2 * DAY + MIN, '/', {}),
    left('a4', 's4', T0 + 2 * DAY + MIN, '/', { engagedMs: -5, scrollDepth: 'deep' }),
    // neither a bot's view nor one before the range counts
    view('bot', 's5', T0, '/pricing', { is_bot: 1 }),
    view('a9', 's6', T0 - DAY, '/old'),
  ])
  await fx.link('a1', 'u1', T0)
  await fx.link('a4', 'u1', T0)
})
afterAll(() => fx?.close())

describe('pages report', () => {
  it('gives each path its views, visitors, entries, bounces, exits and engagement, the most viewed first', async () => {
    const r = await pages(fx.reader, range)
    expect(r.rows).toEqual([
      {
        path: '/',
        views: 3,
        visitors: 1, // a1 and a4 are u1
        entries: 3, // s1, s3, s4
        bounceRate: 1 / 3, // s4
        exits: 1, // s4
        exitRate: 1 / 3,
        medianEngagedSeconds: 10, // s4's Page Left events carry no usable figure
        meanScrollDepth: 50,
      },
      {
        path: '/pricing',
        views: 3, // s1, s2 once, s3
        visitors: 2,
        entries: 1, // s2
        bounceRate: 1,
        exits: 2, // s2, s3
        exitRate: 2 / 3,
        medianEngagedSeconds: 25, // 30 s and 20 s (once)
        meanScrollDepth: 70,
      },
      {
        path: '/signup',
        views: 1,
        visitors: 1,
        entries: 0,
        bounceRate: 0,
        exits: 1,
        exitRate: 1,
        medianEngagedSeconds: null,
        meanScrollDepth: null,
      },
    ])
    // one host (these views have no URL), with each retried view once, as in the total
    expect(r.hosts).toEqual([{ host: '', views: 7 }])
    expect(r.total).toEqual({
      paths: 3,
      views: 7,
      visitors: 2,
      entries: 4, // every session enters once
      bounceRate: 2 / 4, // s2, s4
      exits: 4,
      exitRate: 4 / 7,
      medianEngagedSeconds: 20,
      meanScrollDepth: (50 + 100 + 40) / 3,
    })
  })

  it('lists at most `limit` paths, and still totals them all', async () => {
    const r = await pages(fx.reader, { ...range, limit: 1 })
    expect(r.rows.map((row) => row.path)).toEqual(['/'])
    expect(r.total).toMatchObject({ paths: 3, views: 7 })
  })

  it('answers an empty range with no rows and zero totals', async () => {
    const r = await pages(fx.reader, { ...range, from: '2025-01-01', to: '2025-01-02' })
    expect(r.rows).toEqual([])
    expect(r.total).toMatchObject({
      paths: 0,
      views: 0,
      entries: 0,
      bounceRate: 0,
      medianEngagedSeconds: null,
    })
  })

  it('names the field of a bad request', async () => {
    await expect(pages(fx.reader, { ...range, limit: 0 })).rejects.toThrow(/limit/)
  })
})

describe('two sites in one project', () => {
  const SITES = 'two-sites'
  const sites = { ...range, project: SITES }
  const at = (site: string, anon: string, session: string, t: number, path: string) =>
    ({
      ...view(anon, session, t, path),
      url: `https://${site}${path}?ref=x`,
      project: SITES,
    }) satisfies FixtureEvent
  const RETRIED = '00000000-0000-8000-8000-0000000000a1'
  const pricing = at('shop.example', 'b1', 'h1', T0 + MIN, '/pricing')
  beforeAll(async () => {
    await fx.events([
      // the shop: two visits by /, one of them on to /pricing
      at('shop.example', 'b1', 'h1', T0, '/'),
      // the pricing view stored twice (a retry): one view
      { ...pricing, id: RETRIED },
      { ...pricing, id: RETRIED },
      at('shop.example:8443', 'b2', 'h2', T0, '/'),
      // the blog: its own / and a post; b1 reads it too
      at('blog.example', 'b1', 'h3', T0 + DAY, '/'),
      at('blog.example', 'b1', 'h3', T0 + DAY + MIN, '/posts/1'),
      // a server call without a URL
      { ...view('b3', 'h4', T0, '/'), project: SITES },
    ])
  })

  it("lists the page views by host, and keeps one site's pages apart with `host`", async () => {
    const all = await pages(fx.reader, sites)
    // the port is not part of the host
    expect(all.hosts).toEqual([
      { host: 'shop.example', views: 3 },
      { host: 'blog.example', views: 2 },
      { host: '', views: 1 },
    ])
    // without `host`, the two sites' front pages are one path
    expect(all.rows.find((r) => r.path === '/')?.views).toBe(4)
    const shop = await pages(fx.reader, { ...sites, host: 'shop.example' })
    expect(shop.rows.map((r) => [r.path, r.views, r.entries, r.exits])).toEqual([
      ['/', 2, 2, 1],
      ['/pricing', 1, 0, 1],
    ])
    expect(shop.total).toMatchObject({ paths: 2, views: 3, visitors: 2 })
    expect(shop.hosts).toEqual(all.hosts)
    const blog = await pages(fx.reader, { ...sites, host: 'blog.example' })
    expect(blog.rows.map((r) => r.path)).toEqual(['/', '/posts/1'])
  })

  it('makes the host a field for filters and breakdowns', async () => {
    const r = await funnel(fx.reader, {
      ...sites,
      steps: [{ event: 'Page Viewed', filters: [{ property: 'host', op: 'eq', value: 'blog.example' }] }],
    })
    expect(r.steps[0]?.people).toBe(1)
    const split = await funnel(fx.reader, { ...sites, steps: [{ event: 'Page Viewed' }], breakdown: 'host' })
    expect(split.breakdown?.map((b) => [b.value, b.steps[0]?.people])).toEqual([
      ['shop.example', 2],
      ['', 1],
    ])
  })
})
