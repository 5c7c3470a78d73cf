import { setTimeout as sleep } from 'node:timers/promises'
import { RECORD_KIND } from '@touchpoint/loader'
import { describe, expect, it } from 'vitest'
import { sinkOptionsWithoutBroker } from '../../../../test/helpers/kafka'
import { createLogger } from '../logger'
import { Metrics } from '../metrics'
import { SpoolFullError } from '../spool/types'
import { KafkaSink } from './kafka'

/** The sink's options, with no broker at its address (nothing listens on the port). */
const options = () => sinkOptionsWithoutBroker('unreachable-test')

/** The Kafka sink with no broker at its address: real kafkajs, a real spool. */
describe('the Kafka sink while no broker answers', () => {
  it('stays degraded, keeping what it takes in its spool, until a broker answers', async () => {
    const metrics = new Metrics()
    const sink = await KafkaSink.start(await options(), metrics, createLogger('silent'))
    try {
      expect(sink.status()).toBe('degraded')
      // the replayer has found its spool empty: that is not a broker come back (it once read so, and answered ok)
      await sleep(2500)
      expect(sink.status()).toBe('degraded')
      // each record goes straight to the spool, not to a produce that waits out its retries first
      for (let i = 0; i < 5; i++) {
        const started = Date.now()
        await sink.append([{ kind: RECORD_KIND.event, id: `e-${i}`, payload: '{}', key: 'p:a' }])
        expect(Date.now() - started).toBeLessThan(500)
        await sleep(300)
        expect(sink.status()).toBe('degraded')
      }
      expect(metrics.render()).toMatch(/^touchpoint_spool_queued_bytes [1-9]/m)
    } finally {
      await sink.close()
    }
  })

  it('is down, not degraded, once its spool is full and refuses records', async () => {
    const sink = await KafkaSink.start(
      { ...(await options()), spoolMaxBytes: 4096 },
      new Metrics(),
      createLogger('silent'),
    )
    try {
      const record = (i: number) => [
        {
          kind: RECORD_KIND.event,
          id: `full-${i}`,
          payload: JSON.stringify({ pad: 'x'.repeat(1000) }),
          key: 'p:a',
        },
      ]
      await sink.append(record(0))
      expect(sink.status()).toBe('degraded')
      let refused: unknown
      for (let i = 1; i < 10 && !refused; i++) refused = await sink.append(record(i)).catch((err) => err)
      expect(refused).toBeInstanceOf(SpoolFullError)
      expect(sink.status()).toBe('down')
    } finally {
      await sink.close()
    }
  })
})
