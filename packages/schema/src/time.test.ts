import { afterEach, describe, expect, it } from 'vitest'
import { parseTimestamp } from './time'

const zone = process.env.TZ
afterEach(() => {
  if (zone === undefined) delete process.env.TZ
  else process.env.TZ = zone
})

describe('parseTimestamp', () => {
  it('reads a time without a zone as UTC, whatever zone the process runs in', () => {
    const utc = Date.UTC(2026, 10, 3, 18, 40)
    for (const tz of ['UTC', 'Europe/Berlin', 'America/Los_Angeles']) {
      process.env.TZ = tz
      expect(parseTimestamp('2026-11-03T18:40:00'), tz).toBe(utc)
      expect(parseTimestamp('2026-11-03 18:40'), tz).toBe(utc)
      expect(parseTimestamp('2026-11-03'), tz).toBe(Date.UTC(2026, 10, 3))
    }
  })

  it('keeps a zone, with or without its colon, and fractions past the millisecond', () => {
    const utc = Date.UTC(2026, 10, 3, 17, 40)
    expect(parseTimestamp('2026-11-03T18:40:00+01:00')).toBe(utc)
    expect(parseTimestamp('2026-11-03T18:40:00+0100')).toBe(utc)
    expect(parseTimestamp('2026-11-03T17:40:00Z')).toBe(utc)
    expect(parseTimestamp('2026-11-03T17:40:00.123456789Z')).toBe(utc + 123)
  })

  it('reads every RFC 3339 date-time: a lower-case t and z, a long fraction, a leap second, a year before 100', () => {
    const utc = Date.UTC(2026, 11, 1, 10)
    expect(parseTimestamp('2026-12-01t10:00:00z')).toBe(utc)
    expect(parseTimestamp('2026-12-01T10:00:00.1234567891Z')).toBe(utc + 123)
    expect(parseTimestamp('2026-06-30T23:59:60Z')).toBe(Date.UTC(2026, 6, 1) - 1)
    expect(parseTimestamp('2026-06-30T19:59:60-04:00')).toBe(Date.UTC(2026, 6, 1) - 1)
    expect(new Date(parseTimestamp('0050-01-01T00:00:00Z')).toISOString()).toBe('0050-01-01T00:00:00.000Z')
    expect(parseTimestamp('0000-02-29')).not.toBeNaN()
  })

  it('refuses what is not ISO-8601 or names a day that does not exist', () => {
    for (const text of [
      '03/11/2026',
      'Nov 3, 2026',
      '2026-02-30',
      '2026-11-03T25:00:00Z',
      '2026-11-03T10:00:61Z',
      '0050-02-29',
      '1796572447121',
      '',
    ])
      expect(parseTimestamp(text), text).toBeNaN()
  })
})
