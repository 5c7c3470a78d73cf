import { describe, expect, it } from 'vitest'
import { MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay } from './backoff'

const policy = { minMs: 100, maxMs: 10_000 }

describe('retryDelay', () => {
  it('doubles per attempt, between half and the whole step', () => {
    expect(retryDelay(0, policy, undefined, () => 0)).toBe(50)
    expect(retryDelay(0, policy, undefined, () => 1)).toBe(100)
    expect(retryDelay(3, policy, undefined, () => 0)).toBe(400)
    expect(retryDelay(3, policy, undefined, () => 0.5)).toBe(600)
  })

  it('stops growing at the cap, even after many attempts', () => {
    expect(retryDelay(50, policy, undefined, () => 1)).toBe(10_000)
    expect(retryDelay(5000, policy, undefined, () => 0)).toBe(5_000)
  })

  it('waits as long as Retry-After asks when that is longer', () => {
    expect(retryDelay(0, policy, 3_000, () => 1)).toBe(3_000)
    expect(retryDelay(10, policy, 1, () => 0)).toBe(5_000)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2_000)
    const now = Date.parse('2026-11-22T10:00:00Z')
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0)
  })

  it('ignores nonsense and caps what it believes', () => {
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter('999999999')).toBe(MAX_RETRY_AFTER_MS)
  })
})
