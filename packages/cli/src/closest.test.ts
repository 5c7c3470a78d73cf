import { describe, expect, it } from 'vitest'
import { closest, didYouMean } from './closest'

describe('closest', () => {
  it('finds the word a typo meant, and nothing for a word far from all', () => {
    const reports = ['overview', 'orders', 'traffic', 'time-of-day', 'email']
    expect(closest('overveiw', reports)).toBe('overview')
    expect(closest('trafic', reports)).toBe('traffic')
    expect(closest('emial', reports)).toBe('email')
    expect(closest('revenue', reports)).toBeUndefined()
    // a swap of two letters is one edit: --sort is two from --form, --from one
    expect(didYouMean('--form', ['--sort', '--from', '--to'])).toBe(' (did you mean --from?)')
    expect(didYouMean('--x', ['--from', '--to'])).toBe('')
  })
})
