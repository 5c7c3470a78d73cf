import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { retention } from './retention'

// Mondays 6, 13 and 20 April 2026 begin the three weeks of the range
const range = { project: PROJECT, from: '2026-04-06', to: '2026-04-27' }
const seen = (anon: string, day: string, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  event: 'Page Viewed',
  anon,
  at: `${day}T12:00:00Z`,
  ...extra,
})
const order = (anon: string, day: string) => seen(anon, day, { event: 'Order Completed', revenue: 10 })

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // the first week's cohort: a1 back in both weeks after, a2 in the third, u3 (a3 and a3b) in the second
    order('a1', '2026-04-06'),
    seen('a1', '2026-04-14'),
    order('a1', '2026-04-21'),
    seen('a2', '2026-04-07'),
    seen('a2', '2026-04-22'),
    seen('a3', '2026-04-08'),
    seen('a3b', '2026-04-15'),
    // the second week's: a4 (its one event stored twice), and r1, whose emails came before but who first did
    // something on the 15th
    seen('a4', '2026-04-14', { id: '00000000-0000-8000-8000-000000000004' }),
    seen('a4', '2026-04-14', { id: '00000000-0000-8000-8000-000000000004' }),
    seen('r1', '2026-04-06', { event: 'Email Sent' }),
    seen('r1', '2026-04-07', { event: 'Email Opened', source: 'email' }),
    seen('r1', '2026-04-15'),
    // the third week's: a6, and a7, whose next visit is after the range
    seen('a6', '2026-04-21'),
    seen('a7', '2026-04-20'),
    seen('a7', '2026-04-28'),
    // first seen before the range: in no cohort; a bot: nowhere
    seen('a5', '2026-03-20'),
    seen('a5', '2026-04-14'),
    seen('bot', '2026-04-07', { is_bot: 1 }),
    seen('bot', '2026-04-14', { is_bot: 1 }),
  ])
  await fx.link('a3', 'u3', '2026-04-08T12:00:00Z')
  await fx.link('a3b', 'u3', '2026-04-15T12:00:00Z')
})
afterAll(() => fx?.close())

describe('retention report', () => {
  it('groups people by the week of their first activity and counts who came back in each week after', async () => {
    const r = await retention(fx.reader, range)
    expect(r).toMatchObject({ interval: 'week', timezone: 'UTC' })
    expect(r.cohorts).toEqual([
      { start: '2026-04-06', people: 3, retained: [3, 2, 2], rates: [1, 2 / 3, 2 / 3] },
      { start: '2026-04-13', people: 2, retained: [2, 0], rates: [1, 0] },
      { start: '2026-04-20', people: 2, retained: [2], rates: [1] },
    ])
    // each week over the cohorts that reached it: (2 + 0) ÷ (3 + 2), then 2 ÷ 3
    expect(r.average).toEqual([1, 2 / 5, 2 / 3])
  })

  it('counts only the event asked for: repeat purchases', async () => {
    const r = await retention(fx.reader, { ...range, event: { event: 'Order Completed' } })
    expect(r.cohorts).toEqual([{ start: '2026-04-06', people: 1, retained: [1, 0, 1], rates: [1, 0, 1] }])
  })

  it('takes days and months in the time zone, and a cohort ends with the range', async () => {
    const days = await retention(fx.reader, {
      ...range,
      from: '2026-04-20',
      to: '2026-04-22',
      interval: 'day',
    })
    // a7 on the 20th, a1 and a6 on the 21st (a1 is the first week's)
    expect(days.cohorts).toEqual([
      { start: '2026-04-20', people: 1, retained: [1, 0], rates: [1, 0] },
      { start: '2026-04-21', people: 1, retained: [1], rates: [1] },
    ])
    const months = await retention(fx.reader, {
      ...range,
      from: '2026-04-01',
      to: '2026-05-01',
      interval: 'month',
    })
    expect(months.cohorts).toEqual([{ start: '2026-04-01', people: 7, retained: [7], rates: [1] }])
    // in Pacific time, a7's 28 April noon UTC is still the 28th; 12:00 UTC on the 20th is 05:00 there, the 20th
    const pacific = await retention(fx.reader, {
      ...range,
      from: '2026-04-20',
      to: '2026-04-29',
      interval: 'day',
      timezone: 'America/Los_Angeles',
    })
    expect(pacific.cohorts[0]).toMatchObject({ start: '2026-04-20', people: 1 })
    expect(pacific.cohorts[0]?.retained[8]).toBe(1)
  })

  it('refuses a range of more cohorts than it gives, naming the field', async () => {
    await expect(
      retention(fx.reader, { ...range, from: '2024-01-01', to: '2026-01-01', interval: 'day' }),
    ).rejects.toThrow(/"to"[\s\S]*more than 400 days/)
    await expect(retention(fx.reader, { ...range, interval: 'year' as never })).rejects.toThrow(/interval/)
  })

  it('splits the average by the channel of each person’s first activity', async () => {
    const project = 'retention-segments'
    const at = (anon: string, day: string, channel: string) => seen(anon, day, { channel, project })
    await fx.events([
      at('e1', '2026-04-06', 'Email'),
      at('e1', '2026-04-14', 'Direct'),
      at('e2', '2026-04-07', 'Email'),
      // d1 first came direct; that it came back by email later does not move it
      at('d1', '2026-04-08', 'Direct'),
      at('d1', '2026-04-21', 'Email'),
      at('e3', '2026-04-14', 'Email'),
      at('e3', '2026-04-21', 'Email'),
    ])
    const r = await retention(fx.reader, { ...range, project, breakdown: 'channel' })
    expect(r.cohorts.map((c) => [c.start, c.retained])).toEqual([
      ['2026-04-06', [3, 1, 1]],
      ['2026-04-13', [1, 1]],
    ])
    expect(r.segments).toEqual([
      // Email: the first week's e1 and e2 ([2, 1, 0]) and the second's e3 ([1, 1])
      { value: 'Email', people: 3, average: [1, 2 / 3, 0] },
      { value: 'Direct', people: 1, average: [1, 0, 1] },
    ])
    expect((await retention(fx.reader, { ...range, project })).segments).toBeUndefined()
  })
})
