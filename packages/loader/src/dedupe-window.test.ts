import { describe, expect, it } from 'vitest'
import { DedupeWindow } from './dedupe-window'

describe('DedupeWindow', () => {
  it('remembers ids for the whole window and forgets them after', () => {
    let now = 0
    const w = new DedupeWindow(60 * 60_000, 1_000_000, () => now)
    w.add('a')
    now = 59 * 60_000
    w.add('b')
    expect(w.has('a')).toBe(true)
    now = 60 * 60_000
    expect(w.has('a')).toBe(true)
    now = 2.5 * 60 * 60_000
    w.add('c')
    expect(w.has('a')).toBe(false)
    expect(w.has('c')).toBe(true)
  })

  it('stays within maxIds by dropping the oldest slice', () => {
    let now = 0
    const w = new DedupeWindow(60_000, 100, () => now)
    for (let i = 0; i < 300; i++) {
      now = i * 1000
      w.add(`id-${i}`)
    }
    expect(w.count).toBeLessThanOrEqual(100)
    expect(w.has('id-299')).toBe(true)
  })

  it('stays within maxIds when a burst fills it faster than a slice lasts', () => {
    // 10,000 ids in the same millisecond: before slices also ended by count, the one slice held all of them
    const w = new DedupeWindow(60 * 60_000, 600, () => 0)
    for (let i = 0; i < 10_000; i++) w.add(`id-${i}`)
    expect(w.count).toBeLessThanOrEqual(600)
    expect(w.has('id-9999')).toBe(true)
    expect(w.has('id-9500')).toBe(true)
    expect(w.has('id-0')).toBe(false)
  })
})
