import fc from 'fast-check'
import { expect, it } from 'vitest'
import { rangeBefore } from './compare'
import { dayBeginningAt, startOfDay } from './zone'

/**
 * The range before, for any range: adjacent to it, never empty, as many days (or whole months) long, and each of
 * its days beginning at that day's own midnight, in zones whose clocks jump by half hours, skipped a whole day
 * (Pacific/Apia, 30 December 2011) or change twice a year.
 */
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/Los_Angeles',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  'Africa/Casablanca',
]
const DAY = 86_400_000
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const dayOf = fc
  .integer({ min: Date.UTC(1990, 0, 1) / DAY, max: Date.UTC(2060, 0, 1) / DAY })
  .map((d) => d * DAY)
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY

it('puts as many days just before a range of days, or as many whole months, in any zone', () => {
  fc.assert(
    fc.property(dayOf, fc.integer({ min: 1, max: 400 }), fc.constantFrom(...ZONES), (start, n, zone) => {
      const [from, to] = [isoDay(start), isoDay(start + n * DAY)]
      const r = { from: startOfDay(from, zone), to: startOfDay(to, zone), timezone: zone }
      // a day the zone skipped (Apia's 30 December 2011) begins the next one: the example test below has it
      fc.pre(dayBeginningAt(r.from, zone) === from && dayBeginningAt(r.to, zone) === to)
      const before = rangeBefore(r, 'previous')!
      expect(before.label.to).toBe(from)
      expect(before.to.getTime()).toBe(r.from.getTime())
      expect(before.from.getTime()).toBe(startOfDay(before.label.from, zone).getTime())
      expect(before.from.getTime()).toBeLessThan(before.to.getTime())
      if (from.endsWith('-01') && to.endsWith('-01')) {
        expect(before.label.from.slice(8)).toBe('01')
        const months = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7))
        expect(months(before.label.to) - months(before.label.from)).toBe(months(to) - months(from))
      } else expect(days(before.label.from, before.label.to)).toBe(n)
    }),
    { numRuns: 500 },
  )
})

it('puts the same days a year before a range of days, never empty', () => {
  fc.assert(
    fc.property(dayOf, fc.integer({ min: 1, max: 400 }), fc.constantFrom(...ZONES), (start, n, zone) => {
      const [from, to] = [isoDay(start), isoDay(start + n * DAY)]
      const r = { from: startOfDay(from, zone), to: startOfDay(to, zone), timezone: zone }
      fc.pre(dayBeginningAt(r.from, zone) === from && dayBeginningAt(r.to, zone) === to)
      const before = rangeBefore(r, 'year')!
      const yearEarlier = (d: string) => `${Number(d.slice(0, 4)) - 1}${d.slice(4)}`
      // 29 February begins a range on 28 February and ends one on 1 March
      const leapFrom = from.endsWith('-02-29')
        ? yearEarlier(from).replace('-02-29', '-02-28')
        : yearEarlier(from)
      const leapTo = to.endsWith('-02-29') ? yearEarlier(to).replace('-02-29', '-03-01') : yearEarlier(to)
      expect(before.label).toEqual({ from: leapFrom, to: leapTo })
      expect(before.from.getTime()).toBeLessThan(before.to.getTime())
    }),
    { numRuns: 500 },
  )
})

it('puts as long a span just before a range of instants', () => {
  const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) })
  fc.assert(
    fc.property(
      instant,
      fc.integer({ min: 1, max: 400 * DAY }),
      fc.constantFrom(...ZONES),
      (from, length, zone) => {
        const r = { from: new Date(from), to: new Date(from + length), timezone: zone }
        const before = rangeBefore(r, 'previous')!
        expect(before.to.getTime()).toBe(from)
        // a range that happens to begin and end at midnights there is one of days (above); any other, of instants
        if (before.label.from.length > 10) expect(before.to.getTime() - before.from.getTime()).toBe(length)
        const year = rangeBefore(r, 'year')!
        expect(year.from.getTime()).toBeLessThan(year.to.getTime())
      },
    ),
    { numRuns: 500 },
  )
})

it('compares a range from a day the zone skipped as one from the day after it, still just before it', () => {
  // Samoa moved across the date line: 30 December 2011 never began in Pacific/Apia
  const r = {
    from: startOfDay('2011-12-30', 'Pacific/Apia'),
    to: startOfDay('2012-01-06', 'Pacific/Apia'),
    timezone: 'Pacific/Apia',
  }
  const before = rangeBefore(r, 'previous')!
  expect(before.label).toEqual({ from: '2011-12-25', to: '2011-12-31' })
  expect(before.to.getTime()).toBe(r.from.getTime())
})
