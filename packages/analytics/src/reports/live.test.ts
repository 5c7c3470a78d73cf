import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { live } from './live'

const NOW = Date.UTC(2026, 5, 1, 12)
const MIN = 60_000
const view = (anon: string, session: string, ago: number, path: string, extra: Partial<FixtureEvent> = {}) =>
  ({ event: 'Page Viewed', anon, session, at: NOW - ago, path, ...extra }) satisfies FixtureEvent

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // s1 came from the newsletter, went from / to the jacket, and ordered (the order stored twice); its identify
    // was sent with its first view, in the same millisecond, and names no source
    {
      event: 'Identify',
      anon: 'a1',
      session: 's1',
      at: NOW - 4 * MIN,
      channel: 'Direct',
      timezone: 'Europe/Paris',
    },
    view('a1', 's1', 4 * MIN, '/', { channel: 'Email', timezone: 'Europe/Paris' }),
    view('a1', 's1', 3 * MIN, '/product/jacket', { channel: 'Email' }),
    {
      event: 'Order Completed',
      anon: 'a1',
      session: 's1',
      at: NOW - MIN,
      id: '00000000-0000-8000-8000-0000000000a1',
    },
    {
      event: 'Order Completed',
      anon: 'a1',
      session: 's1',
      at: NOW - MIN,
      id: '00000000-0000-8000-8000-0000000000a1',
    },
    // s2 and s3 are one person on two devices, both on the jacket's page
    view('a2', 's2', 2 * MIN, '/product/jacket', { channel: '' }),
    view('a3', 's3', MIN, '/product/jacket', { channel: 'Organic Search', timezone: 'Europe/Lisbon' }),
    // s4 left before the window; a bot's visit counts nowhere
    view('a4', 's4', 20 * MIN, '/pricing'),
    view('bot', 's5', MIN, '/pricing', { is_bot: 1 }),
  ])
  await fx.link('a2', 'u2', NOW - 10 * MIN)
  await fx.link('a3', 'u2', NOW - 10 * MIN)
})
afterAll(() => fx?.close())

describe('live report', () => {
  it('gives the visitors of the last minutes, the page each session is on and where they came from', async () => {
    const r = await live(fx.reader, { project: PROJECT, at: new Date(NOW) })
    expect(r).toEqual({
      from: new Date(NOW - 5 * MIN).toISOString(),
      to: new Date(NOW).toISOString(),
      visitors: 2, // a1, and u2 on two devices
      sessions: 3,
      pageViews: 4,
      orders: 1,
      pages: [{ path: '/product/jacket', sessions: 3 }],
      channels: [
        { channel: 'Direct', sessions: 1 },
        { channel: 'Email', sessions: 1 },
        { channel: 'Organic Search', sessions: 1 },
      ],
      // by the time zone of each session's first event: s2's names none
      countries: [
        { country: '', sessions: 1 },
        { country: 'FR', sessions: 1 },
        { country: 'PT', sessions: 1 },
      ],
    })
  })

  it('looks as far back as asked', async () => {
    const r = await live(fx.reader, { project: PROJECT, at: new Date(NOW), minutes: 30, limit: 1 })
    expect(r).toMatchObject({ visitors: 3, sessions: 4, pageViews: 5 })
    expect(r.pages).toEqual([{ path: '/product/jacket', sessions: 3 }])
    await expect(live(fx.reader, { project: PROJECT, minutes: 120 })).rejects.toThrow(/minutes/)
  })
})
