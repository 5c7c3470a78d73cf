import { describe, expect, it } from 'vitest'
import { cachedZones, startOfDay } from './zone'

describe('startOfDay', () => {
  it.each([
    ['2026-11-27', 'UTC', '2026-11-27T00:00:00.000Z'],
    ['2026-11-27', 'America/Los_Angeles', '2026-11-27T08:00:00.000Z'],
    ['2026-07-01', 'America/Los_Angeles', '2026-07-01T07:00:00.000Z'],
    ['2026-11-27', 'Europe/Berlin', '2026-11-26T23:00:00.000Z'],
    ['2026-07-01', 'Europe/Berlin', '2026-06-30T22:00:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'], // the day clocks go forward, at 02:00
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z'], // the day after
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z'], // clocks go back at 02:00 that day
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-11-27', 'Asia/Kolkata', '2026-11-26T18:30:00.000Z'],
    ['2026-11-27', 'Pacific/Kiritimati', '2026-11-26T10:00:00.000Z'],
  ])('%s in %s begins at %s', (date, zone, instant) =>
    expect(startOfDay(date, zone).toISOString()).toBe(instant),
  )

  it('begins a day whose midnight a zone skips at the first instant after the gap', () => {
    // America/Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06 (its spring change)
    const start = startOfDay('2026-09-06', 'America/Santiago')
    const wall = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/Santiago',
      hourCycle: 'h23',
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(start)
    expect(wall).toBe('06/09/2026, 01:00')
  })

  it('keeps one formatter per zone, whatever the case of its name', () => {
    const before = cachedZones()
    const zone = 'america/argentina/buenos_aires'
    for (let i = 0; i < 2000; i++) {
      const spelled = [...zone].map((c, j) => ((i >> (j % 11)) & 1 ? c.toUpperCase() : c)).join('')
      expect(startOfDay('2026-11-27', spelled).toISOString()).toBe('2026-11-27T03:00:00.000Z')
    }
    expect(cachedZones()).toBe(before + 1)
  })
})
