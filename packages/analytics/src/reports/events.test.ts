import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, openFixture, PROJECT } from '../testing/fixture'
import { eventNames } from './events'

const range = { project: PROJECT, from: '2026-04-01', to: '2026-04-08' }
const at = (day: number, hour = 12) => `2026-04-0${day}T${String(hour).padStart(2, '0')}:00:00.000Z`

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    { event: 'Page Viewed', anon: 'a1', at: at(1) },
    { event: 'Page Viewed', anon: 'a1', at: at(2) },
    { event: 'Page Viewed', anon: 'a2', at: at(3) },
    { event: 'Page Viewed', anon: 'a3', at: at(3, 13) },
    // a3 signs up as u1, whose other device a1 is: two devices, one person
    { event: 'Signed Up', anon: 'a3', at: at(3, 14), id: '00000000-0000-8000-8000-000000000001' },
    { event: 'Signed Up', anon: 'a3', at: at(3, 14), id: '00000000-0000-8000-8000-000000000001' },
    { event: 'signed up', anon: 'a2', at: at(4) },
    { event: 'Page Viewed', anon: 'bot', at: at(4), is_bot: 1 },
    { event: 'Page Viewed', anon: 'a9', at: '2026-03-20T12:00:00.000Z' },
  ])
  await fx.link('a1', 'u1', at(1))
  await fx.link('a3', 'u1', at(3))
})
afterAll(() => fx?.close())

describe('events report', () => {
  it('lists each event name with its events, people and their share, and when it was seen', async () => {
    const r = await eventNames(fx.reader, range)
    expect(r.rows).toEqual([
      // u1 (a1 and a3) and a2
      { event: 'Page Viewed', events: 4, people: 2, share: 1, firstSeen: at(1), lastSeen: at(3, 13) },
      // a retry counts once; a name spelled otherwise is a name of its own
      { event: 'Signed Up', events: 1, people: 1, share: 0.5, firstSeen: at(3, 14), lastSeen: at(3, 14) },
      { event: 'signed up', events: 1, people: 1, share: 0.5, firstSeen: at(4), lastSeen: at(4) },
    ])
    expect(r.total).toEqual({ events: 6, people: 2, names: 3 })
    const one = await eventNames(fx.reader, { ...range, limit: 1 })
    expect(one.rows.map((x) => x.event)).toEqual(['Page Viewed'])
    expect(one.total.names).toBe(3)
  })
})
