import { describe, expect, it } from 'vitest'
import { IngesterHealth, readiness, TROUBLE_WINDOW_MS } from './health'

describe('IngesterHealth', () => {
  it('is degraded from a replaced consumer until a batch is loaded, or the window has passed', () => {
    let now = 1_000_000
    const h = new IngesterHealth(() => now)
    expect(h.status()).toEqual({ status: 'ok' })
    h.consumerReplaced('crashed: ZSTD compression not implemented')
    now += 1000
    expect(h.status()).toEqual({
      status: 'degraded',
      reason: 'the Kafka consumer was replaced: crashed: ZSTD compression not implemented',
    })
    h.batchDone()
    expect(h.status()).toEqual({ status: 'ok' })
    // one crash with nothing to read after it: no batch clears it, the window does
    h.consumerReplaced('crashed: broker gone')
    now += TROUBLE_WINDOW_MS - 1
    expect(h.status().status).toBe('degraded')
    now += 1
    expect(h.status()).toEqual({ status: 'ok' })
  })

  it('is ok again once the replacement is in place with nothing waiting, sooner than the window', () => {
    let now = 1_000_000
    const h = new IngesterHealth(() => now)
    h.consumerReplaced('crashed: The coordinator is not aware of this member')
    now += 2000
    expect(h.status().status).toBe('degraded')
    h.caughtUp()
    expect(h.status()).toEqual({ status: 'ok' })
    // a later crash makes it degraded again
    h.consumerReplaced('crashed: broker gone')
    expect(h.status().status).toBe('degraded')
  })

  it('is degraded while inserts fail, whatever the consumer does, until one goes through', () => {
    const h = new IngesterHealth()
    h.insertFailed('EFBIG: file too large, write')
    h.batchDone()
    expect(h.status()).toEqual({
      status: 'degraded',
      reason: 'inserts into ClickHouse are failing, and retried: EFBIG: file too large, write',
    })
    h.insertDone()
    expect(h.status()).toEqual({ status: 'ok' })
  })
})

describe('readiness', () => {
  it('is degraded when ClickHouse does not answer, unless a failing insert already says why', () => {
    expect(readiness({ status: 'ok' }, true)).toEqual({ ready: true, status: 'ok', storage: 'reachable' })
    expect(readiness({ status: 'ok' }, false)).toEqual({
      ready: true,
      status: 'degraded',
      reason: 'ClickHouse does not answer a ping',
      storage: 'unreachable',
    })
    const failing = {
      status: 'degraded' as const,
      reason: 'inserts into ClickHouse are failing, and retried: x',
    }
    expect(readiness(failing, false)).toEqual({ ready: true, ...failing, storage: 'unreachable' })
  })
})
