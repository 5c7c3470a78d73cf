import { describe, expect, it } from 'vitest'
import { WindowCounter } from './window-counter'

describe('WindowCounter', () => {
  it('counts hits per key in a window that starts at the first hit', () => {
    const c = new WindowCounter(1000)
    expect(c.hit('a', 5000)).toEqual({ count: 1, remainingMs: 1000 })
    expect(c.hit('a', 5400)).toEqual({ count: 2, remainingMs: 600 })
    expect(c.hit('b', 5400)).toEqual({ count: 1, remainingMs: 1000 })
    expect(c.hit('a', 5999)).toEqual({ count: 3, remainingMs: 1 })
    // the window has passed: a new one starts at this hit
    expect(c.hit('a', 6000)).toEqual({ count: 1, remainingMs: 1000 })
  })

  it('forgets the window that started first past its size, never the one just started', () => {
    const c = new WindowCounter(60_000, 2)
    c.hit('a', 0)
    c.hit('b', 1)
    c.hit('a', 2)
    c.hit('c', 3) // a's window started first: forgotten
    expect(c.hit('b', 4).count).toBe(2)
    expect(c.hit('c', 4).count).toBe(2)
    expect(c.hit('a', 5)).toEqual({ count: 1, remainingMs: 60_000 })
  })
})
