import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { links } from './links'

const T0 = Date.UTC(2026, 6, 1, 10)
const MIN = 60_000
const click = (
  anon: string,
  at: number,
  url: string,
  path: string,
  event = 'Outbound Link Clicked',
  id?: string,
) =>
  ({
    event,
    anon,
    at,
    path,
    source: 'browser',
    properties: { url },
    ...(id && { id }),
  }) satisfies FixtureEvent
const REVIEWS = 'https://reviews.example/acme'
const RETRY = '00000000-0000-8000-8000-00000000001c'

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // the reviews site: a1 twice from the product page, a2 once from the home page (sent twice: counts once)
    click('a1', T0, REVIEWS, '/product'),
    click('a1', T0 + MIN, REVIEWS, '/product'),
    click('a2', T0 + 2 * MIN, REVIEWS, '/', 'Outbound Link Clicked', RETRY),
    click('a2', T0 + 2 * MIN, REVIEWS, '/', 'Outbound Link Clicked', RETRY),
    // another page of the same site, and another site
    click('a3', T0 + 3 * MIN, 'https://reviews.example/other', '/'),
    click('a3', T0 + 4 * MIN, 'https://maps.example/?q=acme', '/contact'),
    // a download, and a bot's click
    click('a1', T0 + 5 * MIN, 'https://shop.example/files/sizes.pdf', '/product', 'File Downloaded'),
    { ...click('bot', T0, REVIEWS, '/'), is_bot: 1 },
  ])
  await fx.link('a3', 'u3', T0)
})
afterAll(() => fx?.close())

const range = { project: PROJECT, from: '2026-07-01', to: '2026-07-02' }

describe('links report', () => {
  it('counts the clicks on links to other sites by URL, with who clicked and where', async () => {
    const r = await links(fx.reader, range)
    expect(r.rows).toEqual([
      { key: REVIEWS, clicks: 3, visitors: 2, topPage: '/product', pages: 2 },
      { key: 'https://maps.example/?q=acme', clicks: 1, visitors: 1, topPage: '/contact', pages: 1 },
      { key: 'https://reviews.example/other', clicks: 1, visitors: 1, topPage: '/', pages: 1 },
    ])
    expect(r.total).toEqual({ clicks: 5, visitors: 3, links: 3 })
  })

  it('counts them by site, and the downloads apart', async () => {
    const bySite = await links(fx.reader, { ...range, by: 'host', limit: 1 })
    expect(bySite.rows.map((x) => [x.key, x.clicks, x.visitors])).toEqual([['reviews.example', 4, 3]])
    expect(bySite.total).toEqual({ clicks: 5, visitors: 3, links: 2 })
    const downloads = await links(fx.reader, { ...range, kind: 'download' })
    expect(downloads.rows.map((x) => [x.key, x.clicks, x.topPage])).toEqual([
      ['https://shop.example/files/sizes.pdf', 1, '/product'],
    ])
  })
})
