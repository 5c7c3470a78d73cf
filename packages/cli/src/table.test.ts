import { describe, expect, it } from 'vitest'
import { formatSeconds } from './table'

describe('formatSeconds', () => {
  it('writes a span in the unit that reads best', () => {
    expect([null, 0, 45, 119, 750, 7199, 22_320, 172_799, 302_400].map(formatSeconds)).toEqual([
      '',
      '0 s',
      '45 s',
      '119 s',
      '12.5 min',
      '120.0 min',
      '6.2 h',
      '48.0 h',
      '3.5 days',
    ])
  })
})
