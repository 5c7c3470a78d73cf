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

  it('refuses what is not ISO-8601 or names a day that does not exist', () => {
    for (const text of [
      '03/11/2026',
      'Nov 3, 2026',
      '2026-02-30',
      '2026-11-03T25:00:00Z',
      '1796572447121',
      '',
    ])
      expect(parseTimestamp(text), text).toBeNaN()
  })
})
