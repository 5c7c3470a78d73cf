import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keysIn } from './helpers/collector'
import { expectExactlyOnce } from './helpers/exactly-once'
import { basic, eventually, post } from './helpers/http'
import { type KafkaStack, printLogsOnFailure, startKafkaStack, stopKafkaStack } from './helpers/kafka-stack'
import { trackEvent } from './helpers/load'

/**
 * A broker that hangs rather than dies: stopped with SIGSTOP under load, as a network partition, a stalled disk or
 * a long pause of its JVM leave it. Its port still takes connections, but nothing answers, so kafkajs waits out its
 * request timeout and retries (40 s in all). Before the collector bounded that wait (KAFKA_ACK_TIMEOUT_MS), every
 * request hung until the server's 30 s timeout closed its connection unanswered, and /readyz said ok meanwhile.
 * Now a request waits at most the ack timeout, its events go to the spool, and the collector reports degraded;
 * once the broker runs again, the spool is replayed, and every acknowledged event is stored exactly once, though a
 * produce given up on may have reached Kafka too.
 */
const ACK_TIMEOUT_MS = 2000
let stack: KafkaStack
let frozen = false

const brokerPid = () => Number(readFileSync(join(stack.broker.dir, 'broker.pid'), 'utf8'))
function signalBroker(signal: 'SIGSTOP' | 'SIGCONT'): void {
  process.kill(brokerPid(), signal)
  frozen = signal === 'SIGSTOP'
}

beforeAll(async () => {
  stack = await startKafkaStack(
    'frozen',
    { concurrency: 4, pauseMs: 50, prefix: 'z' },
    { KAFKA_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS) },
  )
})

printLogsOnFailure(() => stack)

afterAll(async () => {
  // a stopped broker would not see the SIGTERM that stops it
  if (frozen) signalBroker('SIGCONT')
  await stopKafkaStack(stack)
})

/** /readyz's status, checking its answer: 200 unless 'down' (while degraded, the collector still takes calls) */
const status = async () => {
  const res = await fetch(`${stack.collector.url}/readyz`)
  const { status } = (await res.json()) as { status: string }
  expect(res.status).toBe(status === 'down' ? 503 : 200)
  return status
}

describe('a broker that hangs', () => {
  it('answers within the ack timeout while the broker hangs, from the spool, and reports degraded', {
    timeout: 120_000,
  }, async () => {
    const { collector, load } = stack
    await eventually(
      async () => load.acked.size,
      (n) => n > 500,
      30_000,
    )
    // producing to Kafka, not spooling (a produce slower than the ack timeout on a busy machine spools a moment)
    await eventually(status, (s) => s === 'ok', 30_000)
    const writeKey = keysIn(collector.dataDir).writeKey
    signalBroker('SIGSTOP')
    const waits: number[] = []
    for (let i = 0; i < 6; i++) {
      const id = `z-probe-${i}`
      load.attempted.add(id)
      const started = Date.now()
      const res = await post(`${collector.url}/v1/track`, trackEvent(id), { authorization: basic(writeKey) })
      waits.push(Date.now() - started)
      expect(res.status).toBe(200)
      load.acked.add(id)
      expect(await status()).toBe('degraded')
      await sleep(1000)
    }
    // the first waited out the ack timeout (its produce was in flight); the rest went straight to the spool
    expect(waits[0]).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 500)
    expect(Math.max(...waits)).toBeLessThan(ACK_TIMEOUT_MS + 4000)
    expect(Math.max(...waits.slice(1))).toBeLessThan(1000)
    const ackedWhileFrozen = load.acked.size
    await sleep(3000)
    expect(load.acked.size).toBeGreaterThan(ackedWhileFrozen + 100)
    expect([...load.statuses.keys()]).toEqual([200])
    expect(load.errors).toBe(0)
  })

  it('replays the spool once the broker runs again, and goes back to producing', {
    timeout: 120_000,
  }, async () => {
    signalBroker('SIGCONT')
    await eventually(status, (s) => s === 'ok', 90_000)
  })

  it('stored every acknowledged event exactly once', { timeout: 300_000 }, async () => {
    const log = (step: string) => console.log(`[frozen] ${new Date().toISOString()} ${step}`)
    const { acked } = await expectExactlyOnce({ ...stack, event: 'Load Test' }, log)
    expect(acked).toBeGreaterThan(2000)
  })

  it('starts an ingester while the broker hangs, which answers /healthz, waits for it and then loads', {
    timeout: 120_000,
  }, async () => {
    const { ingester, collector } = stack
    signalBroker('SIGSTOP')
    // past the 20 s after which it used to exit, saying only "Broker not connected"
    const thaw = setTimeout(() => signalBroker('SIGCONT'), 30_000)
    try {
      const started = ingester.start()
      // meanwhile it is alive (a liveness probe holds) and says it is not ready yet
      await eventually(
        async () => (await fetch(`${ingester.url}/healthz`).catch(() => null))?.status,
        (s) => s === 200,
        20_000,
      )
      const waiting = await fetch(`${ingester.url}/readyz`)
      expect(waiting.status).toBe(503)
      expect(await waiting.json()).toEqual({ ready: false, status: 'starting' })
      expect(frozen).toBe(true)
      await started
    } finally {
      clearTimeout(thaw)
    }
    expect(frozen).toBe(false)
    expect((await fetch(`${ingester.url}/readyz`)).status).toBe(200)
    expect(ingester.output).toContain('did not let the ingester join; waiting for it')
    expect(ingester.output).toContain('the broker took the connection but did not answer')
    const writeKey = keysIn(collector.dataDir).writeKey
    const res = await post(`${collector.url}/v1/track`, trackEvent('z-after-thaw'), {
      authorization: basic(writeKey),
    })
    expect(res.status).toBe(200)
    await eventually(
      async () => (await fetch(`${ingester.url}/metrics`)).text(),
      (m) => /^touchpoint_ingester_rows_loaded_total\{table="events"\} [1-9]/m.test(m),
      60_000,
    )
  })
})
