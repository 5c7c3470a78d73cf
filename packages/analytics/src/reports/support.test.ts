import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { support } from './support'

const T0 = Date.UTC(2026, 2, 2, 9) // Monday 2 March, 09:00 UTC
const HOUR = 3_600_000
const DAY = 24 * HOUR
const range = { project: PROJECT, from: '2026-03-01', to: '2026-03-08' }

const opened = (
  user: string,
  at: number,
  ticketId: string,
  props: Record<string, unknown> = {},
): FixtureEvent => ({
  event: 'Support Ticket Opened',
  user,
  at,
  properties: { ticketId, ...props },
})
const resolved = (
  user: string,
  at: number,
  ticketId: string,
  props: Record<string, unknown> = {},
): FixtureEvent => ({
  event: 'Support Ticket Resolved',
  user,
  at,
  properties: { ticketId, ...props },
})

// t4 was opened on 20 February and resolved in the range: 10 days and 3 hours
const T4_SECONDS = (T0 + 3 * HOUR - Date.UTC(2026, 1, 20, 9)) / 1000

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // t1: email, resolved two hours later (a null duration, as a helpdesk's database writes none: opened → resolved)
    opened('u1', T0, 't1', { channel: 'email', priority: 'high' }),
    resolved('u1', T0 + 2 * HOUR, 't1', { durationSeconds: null }),
    // t2: the same customer again, by chat; the helpdesk says it took 30 minutes of its hour
    opened('u1', T0 + DAY, 't2', { channel: 'chat', priority: 'normal' }),
    resolved('u1', T0 + DAY + HOUR, 't2', { durationSeconds: 1800 }),
    // t3: still open
    opened('u2', T0 + 2 * DAY, 't3', { channel: 'email', priority: 'urgent' }),
    // t4: opened before the range, resolved in it
    opened('u3', Date.UTC(2026, 1, 20, 9), 't4', { channel: 'phone' }),
    resolved('u3', T0 + 3 * HOUR, 't4'),
    // t5: opened before the range and never resolved: the backlog it started with
    opened('u4', Date.UTC(2026, 1, 25), 't5', { channel: 'email' }),
    // t6: resolved in an hour, then reopened: open at the end
    opened('u5', T0, 't6', { channel: 'chat' }),
    resolved('u5', T0 + HOUR, 't6'),
    opened('u5', T0 + 30 * HOUR, 't6', { channel: 'chat' }),
    // t7: a resolution with no opening on record (opened before tracking began), timed by the helpdesk
    resolved('u8', T0 + 5 * DAY, 't7', { durationSeconds: 600 }),
    // t8: its opening sent twice (a retry); resolved only after the range
    { ...opened('u6', T0 + 4 * DAY, 't8', { channel: 'email' }), id: '00000000-0000-4000-8000-0000000000a8' },
    { ...opened('u6', T0 + 4 * DAY, 't8', { channel: 'email' }), id: '00000000-0000-4000-8000-0000000000a8' },
    resolved('u6', Date.UTC(2026, 2, 9), 't8'),
    // t9: opened after the range
    opened('u7', Date.UTC(2026, 2, 10), 't9', { channel: 'chat' }),
  ])
})
afterAll(() => fx?.close())

describe('support report', () => {
  it('counts tickets opened, resolved and still open, and how long resolving took', async () => {
    const r = await support(fx.reader, range)
    expect(r).toMatchObject({
      by: 'channel',
      opened: 5, // t1, t2, t3, t6, t8
      resolved: 5, // t1, t2, t4, t6, t7
      resolutionRate: 2 / 5, // t1 and t2 of those opened (t6 was reopened)
      openAtEnd: 4, // t3, t5, t6, t8
      // 600, 1800, 3600, 7200 and t4's ten days
      medianResolutionSeconds: 3600,
      p90ResolutionSeconds: expect.closeTo(7200 + 0.6 * (T4_SECONDS - 7200), 6),
      customers: 4, // u1, u2, u5, u6
      repeatCustomers: 1, // u1
    })
    expect(r.rows).toEqual([
      {
        value: 'email',
        opened: 3,
        resolved: 1,
        resolutionRate: 1 / 3,
        openAtEnd: 3,
        medianResolutionSeconds: 7200,
        p90ResolutionSeconds: 7200,
        customers: 3,
      },
      {
        value: 'chat',
        opened: 2,
        resolved: 2,
        resolutionRate: 0.5,
        openAtEnd: 1,
        medianResolutionSeconds: 2700,
        p90ResolutionSeconds: 3420,
        customers: 2,
      },
      {
        value: '',
        opened: 0,
        resolved: 1,
        resolutionRate: 0,
        openAtEnd: 0,
        medianResolutionSeconds: 600,
        p90ResolutionSeconds: 600,
        customers: 0,
      },
      {
        value: 'phone',
        opened: 0,
        resolved: 1,
        resolutionRate: 0,
        openAtEnd: 0,
        medianResolutionSeconds: T4_SECONDS,
        p90ResolutionSeconds: T4_SECONDS,
        customers: 0,
      },
    ])
  })

  it('groups by priority, and gives each day of the range', async () => {
    const r = await support(fx.reader, { ...range, by: 'priority', interval: 'day' })
    expect(r.rows.map((row) => [row.value, row.opened])).toEqual([
      ['', 2], // t6, t8
      ['high', 1],
      ['normal', 1],
      ['urgent', 1],
    ])
    expect(r.series?.map((d) => [d.start, d.opened, d.resolved, d.medianResolutionSeconds])).toEqual([
      ['2026-03-01', 0, 0, null],
      ['2026-03-02', 2, 3, 7200], // t1, t6 opened; t1, t4, t6 resolved
      ['2026-03-03', 1, 1, 1800],
      ['2026-03-04', 1, 0, null],
      ['2026-03-05', 0, 0, null],
      ['2026-03-06', 1, 0, null],
      ['2026-03-07', 0, 1, 600],
    ])
  })

  it('gives a later range with no ticket opened or resolved the tickets still open at its end', async () => {
    const r = await support(fx.reader, { ...range, from: '2027-01-01', to: '2027-02-01' })
    expect(r).toMatchObject({ opened: 0, resolved: 0, medianResolutionSeconds: null, customers: 0 })
    // t3, t5 and t6 as before, and t9, opened since; t8 was resolved
    expect(r.openAtEnd).toBe(4)
    expect(r.rows.map((row) => [row.value, row.openAtEnd])).toEqual([
      ['chat', 2],
      ['email', 2],
    ])
  })

  it("times a reopened ticket by its latest resolution, not by an earlier one's duration", async () => {
    const project = 'support-reopened'
    const event = (name: string, at: number, props: Record<string, unknown>): FixtureEvent => ({
      event: `Support Ticket ${name}`,
      user: 'u1',
      at,
      project,
      properties: { ticketId: 'r1', ...props },
    })
    await fx.events([
      event('Opened', T0, {}),
      event('Resolved', T0 + HOUR, { durationSeconds: 60 }), // the helpdesk counted one working minute
      event('Opened', T0 + 2 * HOUR, {}),
      event('Resolved', T0 + 5 * HOUR, {}), // no duration this time: first opening to this resolution
    ])
    const r = await support(fx.reader, { ...range, project })
    expect(r).toMatchObject({ opened: 1, resolved: 1, resolutionRate: 1, medianResolutionSeconds: 5 * 3600 })
  })
})
