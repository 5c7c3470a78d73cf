import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CollectorProcess, ServiceProcess } from './helpers/collector'
import { currentSegmentSize, limitFileSize } from './helpers/disk'
import { expectExactlyOnce } from './helpers/exactly-once'
import { eventually } from './helpers/http'
import type { Broker } from './helpers/kafka'
import { type KafkaStack, printLogsOnFailure, startKafkaStack, stopKafkaStack } from './helpers/kafka-stack'
import { type LoadGenerator, metricValue } from './helpers/load'

/**
 * Faults under a steady load, with a real broker and real processes: the broker stopped for 10 seconds (and the
 * collector's disk full for a while, and the ingester stopped meanwhile), the ingester killed with kill -9 mid-batch, the collector killed with kill -9. At the end, every acknowledged
 * event is stored exactly once, and nothing appears that was not sent.
 */
let stack: KafkaStack
let broker: Broker
let collector: CollectorProcess
let ingester: ServiceProcess
let load: LoadGenerator
let ingesterDir: string

beforeAll(async () => {
  // a steady load, not a flood: the last step waits for the ingester to drain all of it on CI's two cores,
  // shared with other test files (at 20 ms, after the collector got faster, 205,000 events took over a minute)
  stack = await startKafkaStack(
    'faults',
    { concurrency: 6, pauseMs: 50, prefix: 'f' },
    { INGEST_STOP_TIMEOUT_MS: '5000' },
  )
  ;({ broker, collector, ingester, load, ingesterDir } = stack)
})

// a failed step shows what the services said
printLogsOnFailure(() => stack)

afterAll(() => stopKafkaStack(stack))

const loaded = () => metricValue(ingester.url, 'touchpoint_ingester_rows_loaded_total{table="events"}')

describe('faults under load', () => {
  it('keeps accepting while the broker is stopped for 10 seconds, then replays', {
    timeout: 120_000,
  }, async () => {
    await eventually(
      async () => load.acked.size,
      (n) => n > 500,
      30_000,
    )
    await broker.stop()
    const ackedWhileDown = load.acked.size
    await sleep(3000)
    // degraded, and still ready: it takes calls into its spool, so a load balancer should go on sending them
    const degraded = await fetch(`${collector.url}/readyz`)
    expect(degraded.status).toBe(200)
    expect(await degraded.json()).toMatchObject({ ready: true, status: 'degraded' })
    await sleep(7000)
    // the collector went on acknowledging from its local spool while the broker was away
    expect(load.acked.size).toBeGreaterThan(ackedWhileDown + 100)
    // and then its disk filled: the spool took no more, calls were refused with 503, and nothing else failed
    limitFileSize(collector.child!.pid!, currentSegmentSize(collector.dataDir))
    await eventually(
      async () => load.statuses.get(503) ?? 0,
      (n) => n >= 5,
      30_000,
    )
    expect(await (await fetch(`${collector.url}/readyz`)).json()).toMatchObject({
      ready: false,
      status: 'down',
    })
    limitFileSize(collector.child!.pid!, 'unlimited')
    const ackedAfterDisk = load.acked.size
    await eventually(
      async () => load.acked.size,
      (n) => n > ackedAfterDisk + 100,
      30_000,
    )
    expect([...load.statuses.keys()].sort()).toEqual([200, 503])
    // an ingester told to stop meanwhile does not wait minutes on the broker to leave the group: it stops
    // within INGEST_STOP_TIMEOUT_MS, and what it had not committed is read again when it is back
    const stopping = Date.now()
    expect(await ingester.stop('SIGTERM')).toBe(0)
    expect(Date.now() - stopping).toBeLessThan(15_000)
    expect(ingester.output).toContain('stopping without leaving the group')
    await broker.start()
    await ingester.start()
    await eventually(
      async () => ((await (await fetch(`${collector.url}/readyz`)).json()) as { status: string }).status,
      (s) => s === 'ok',
      60_000,
    )
  })

  it("says it is degraded, with ClickHouse's error, while its disk takes no inserts, and loads on after", {
    timeout: 120_000,
  }, async () => {
    const readyz = async () =>
      (await (await fetch(`${ingester.url}/readyz`)).json()) as { status: string; reason?: string }
    await eventually(loaded, (n) => n > 0, 60_000)
    // no file of the ingester's may grow past a byte: ClickHouse cannot write a part, as on a full disk
    const pid = ingester.child!.pid!
    limitFileSize(pid, 1)
    let stalled: number
    try {
      const degraded = await eventually(readyz, (r) => r.status === 'degraded', 60_000)
      expect(degraded.reason).toMatch(/^inserts into ClickHouse are failing, and retried: .*EFBIG/)
      stalled = await loaded()
    } finally {
      limitFileSize(pid, 'unlimited')
    }
    await eventually(loaded, (n) => n > stalled, 60_000)
    expect(await eventually(readyz, (r) => r.status === 'ok', 30_000)).toEqual({
      status: 'ok',
      ready: true,
      storage: 'reachable',
    })
  })

  it('recovers from the ingester killed with kill -9 mid-batch', { timeout: 120_000 }, async () => {
    const before = await eventually(loaded, (n) => n > 0, 60_000)
    await eventually(loaded, (n) => n > before, 60_000)
    expect(await ingester.stop('SIGKILL')).toBe('SIGKILL')
    await sleep(2000)
    await ingester.start()
    await eventually(loaded, (n) => n > 0, 60_000)
  })

  it('recovers from the collector killed with kill -9 under load', { timeout: 120_000 }, async () => {
    const before = load.acked.size
    await sleep(1000)
    expect(await collector.stop('SIGKILL')).toBe('SIGKILL')
    await sleep(1000)
    await collector.start()
    await eventually(
      async () => load.acked.size,
      (n) => n > before + 500,
      60_000,
    )
  })

  it('stored every acknowledged event exactly once, and nothing that was not sent', {
    timeout: 300_000,
  }, async () => {
    const log = (step: string) => console.log(`[faults] ${new Date().toISOString()} ${step}`)
    await expectExactlyOnce({ collector, ingester, ingesterDir, load, event: 'Load Test' }, log)
    expect(load.acked.size).toBeGreaterThan(2000)
  })
})
