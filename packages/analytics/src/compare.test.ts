import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type Comparison, compared, rangeBefore } from './compare'
import { range, ranged } from './request-parts'
import { trafficRequest } from './requests'
import { startOfDay } from './zone'

/** The range before a range of dates in a zone, as dates. */
const before = (from: string, to: string, compare: Comparison, timezone = 'UTC') =>
  rangeBefore({ from: startOfDay(from, timezone), to: startOfDay(to, timezone), timezone }, compare)

describe('rangeBefore', () => {
  it('compares whole months with the months before, not with as many days', () => {
    expect(before('2026-11-01', '2026-12-01', 'previous')?.label).toEqual({
      from: '2026-10-01',
      to: '2026-11-01',
    })
    expect(before('2026-03-01', '2026-04-01', 'previous')?.label).toEqual({
      from: '2026-02-01',
      to: '2026-03-01',
    })
    expect(before('2026-01-01', '2026-04-01', 'previous')?.label).toEqual({
      from: '2025-10-01',
      to: '2026-01-01',
    })
  })

  it('compares other days with as many days just before', () => {
    expect(before('2026-11-09', '2026-11-16', 'previous')?.label).toEqual({
      from: '2026-11-02',
      to: '2026-11-09',
    })
    expect(before('2026-11-15', '2026-12-01', 'previous')?.label).toEqual({
      from: '2026-10-30',
      to: '2026-11-15',
    })
  })

  it('begins each day at its own midnight in the zone, across a daylight-saving change', () => {
    // Berlin moved to summer time on 29 March 2026: the week before began at 23:00 UTC, the week after at 22:00
    const r = before('2026-03-30', '2026-04-06', 'previous', 'Europe/Berlin')
    expect(r?.label).toEqual({ from: '2026-03-23', to: '2026-03-30' })
    expect(r?.from.toISOString()).toBe('2026-03-22T23:00:00.000Z')
    expect(r?.to.toISOString()).toBe('2026-03-29T22:00:00.000Z')
  })

  it('compares with the same days a year before, 29 February as 28 February at the start and 1 March at the end', () => {
    expect(before('2026-11-01', '2026-12-01', 'year')?.label).toEqual({
      from: '2025-11-01',
      to: '2025-12-01',
    })
    expect(before('2028-02-29', '2028-03-01', 'year')?.label).toEqual({
      from: '2027-02-28',
      to: '2027-03-01',
    })
    expect(before('2028-02-01', '2028-02-29', 'year')?.label).toEqual({
      from: '2027-02-01',
      to: '2027-03-01',
    })
  })

  it('compares a range of instants with as long a span just before it, or the same instants a year before', () => {
    const r = {
      from: new Date('2026-11-10T12:00:00Z'),
      to: new Date('2026-11-10T18:30:00Z'),
      timezone: 'UTC',
    }
    expect(rangeBefore(r, 'previous')?.label).toEqual({
      from: '2026-11-10T05:30:00.000Z',
      to: '2026-11-10T12:00:00.000Z',
    })
    expect(rangeBefore(r, 'year')?.label).toEqual({
      from: '2025-11-10T12:00:00.000Z',
      to: '2025-11-10T18:30:00.000Z',
    })
  })

  it('has no range before one that would begin before 1970, and a request asking for it is refused naming compare', () => {
    expect(before('1970-01-01', '1970-02-01', 'previous')).toBeUndefined()
    expect(before('1970-02-01', '1970-03-01', 'previous')?.label.from).toBe('1970-01-01')
    const issues = (from: string, to: string) =>
      trafficRequest.safeParse({ project: 'p', from, to, compare: 'year' }).error?.issues
    expect(issues('1970-06-01', '1970-07-01')).toEqual([
      expect.objectContaining({
        path: ['compare'],
        message: 'the range compared with would begin before 1970-01-01',
      }),
    ])
    // a range beginning before it is refused for its own from, whatever it is compared with
    expect(issues('0001-01-01', '2026-07-01')).toEqual([
      expect.objectContaining({ path: ['from'], message: 'must be 1970-01-01 or later' }),
    ])
    const bad = trafficRequest.safeParse({
      project: 'p',
      from: '2026-06-01',
      to: '2026-07-01',
      compare: 'week',
    })
    expect(bad.error?.issues[0]?.path).toEqual(['compare'])
  })
})

describe('compared', () => {
  it('runs the report over both ranges, and names compare when the request holds for its range only', async () => {
    // a request that refuses ranges before 2026, as a bound on periods or history might
    const schema = ranged(z.object(range)).refine((r) => r.from.getTime() >= Date.UTC(2026, 0, 1), {
      path: ['from'],
      message: 'too old',
    })
    const ran: string[] = []
    const run = async (r: { from: Date | string }) => {
      ran.push(new Date(r.from).toISOString().slice(0, 10))
      return { ok: true }
    }
    const both = await compared(
      schema,
      { project: 'p', from: '2026-03-01', to: '2026-04-01', compare: 'previous' },
      run,
    )
    expect(both).toEqual({
      ok: true,
      previous: { ok: true },
      previousRange: { from: '2026-02-01', to: '2026-03-01', compare: 'previous' },
    })
    ran.length = 0
    const refused = compared(
      schema,
      { project: 'p', from: '2026-01-01', to: '2026-02-01', compare: 'previous' },
      run,
    )
    await expect(refused).rejects.toMatchObject({
      issues: [{ path: ['compare'], message: 'the range before (2025-12-01 to 2026-01-01): too old' }],
    })
    expect(ran).toEqual([])
  })
})

describe('a range', () => {
  const schema = ranged(z.object(range))
  const issue = (from: string, to: string) =>
    schema
      .safeParse({ project: 'shop', from, to })
      .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)

  it('ends at to, which is not in it: one day asked for as from and to that day says how to ask for it', () => {
    expect(issue('2026-12-07', '2026-12-08')).toBeUndefined()
    const [sameDay] = issue('2026-11-30', '2026-11-30') ?? []
    expect(sameDay).toMatch(/^to: must be after from: .* one day runs from that day to the next/)
    expect(sameDay).toContain('(from 2026-11-30 to 2026-12-01)')
    expect(issue('2026-12-07', '2026-12-01')).toEqual(['to: must be after from'])
  })
})
