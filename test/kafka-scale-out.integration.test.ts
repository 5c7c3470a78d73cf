import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embeddedSql, freePort, keysIn, ServiceProcess, tempDir } from './helpers/collector'
import { eventually } from './helpers/http'
import { type KafkaStack, printLogsOnFailure, startKafkaStack, stopKafkaStack } from './helpers/kafka-stack'
import { consumerCaughtUp, LoadGenerator, metricValue, spoolDrained } from './helpers/load'

/**
 * Scaling out, as the README's "Scaling out" says: a second ingester joins the group under a steady load and
 * takes some of the partitions, then the first is stopped (SIGTERM) and the second takes them all. Each ingester
 * loads its own embedded ClickHouse here, so the two stores together must hold every acknowledged event: a
 * partition handed over at a rebalance is read on from the offset the other committed, never after it (lost);
 * within one store, none is loaded twice. Across the two, copies are allowed, since a shared ClickHouse server
 * collapses them by event id (the ReplacingMergeTree backstop, docs/architecture.md), and counted: CI once found
 * 310, the batches in hand at the SIGTERM, whose commits kafkajs dropped (the second test shows that case alone).
 */
let stack: KafkaStack
let second: ServiceProcess
const secondDir = tempDir('tp-scale-ingester-b-')

beforeAll(async () => {
  stack = await startKafkaStack('scale', { concurrency: 4, pauseMs: 30, prefix: 's' })
  second = new ServiceProcess('ingest', secondDir, await freePort(), {
    KAFKA_BROKERS: stack.broker.address,
    KAFKA_PARTITIONS: '3',
    INGEST_SESSION_TIMEOUT_MS: '6000',
    INGEST_STALL_MS: '15000',
  })
})

printLogsOnFailure(() => stack)

afterAll(async () => {
  await second?.stop('SIGKILL')
  await stopKafkaStack(stack)
})

const loaded = (url: string) => metricValue(url, 'touchpoint_ingester_rows_loaded_total{table="events"}')

describe('a second ingester in the group', () => {
  it('takes partitions as it joins and all of them as the first leaves, losing no event at either handover', {
    timeout: 240_000,
  }, async () => {
    const { ingester, collector, load, ingesterDir } = stack
    await eventually(
      () => loaded(ingester.url),
      (n) => n > 1000,
      60_000,
    )
    await second.start()
    // the group gives the newcomer partitions of its own, and it loads what arrives in them
    await eventually(
      () => loaded(second.url),
      (n) => n > 500,
      60_000,
    )
    const firstBefore = await loaded(ingester.url)
    await sleep(3000)
    expect(await loaded(ingester.url)).toBeGreaterThan(firstBefore)

    // the first leaves: its partitions move to the second at once, from the offsets it committed
    expect(await ingester.stop('SIGTERM')).toBe(0)
    const secondAfter = await loaded(second.url)
    await eventually(
      () => loaded(second.url),
      (n) => n > secondAfter + 2000,
      60_000,
    )
    await load.stop()
    await spoolDrained(collector.url, 60_000)
    await consumerCaughtUp(second.url)
    expect(await second.stop('SIGTERM')).toBe(0)

    const ids = async (dir: string) =>
      (
        await embeddedSql<{ id: string }>(
          dir,
          "SELECT message_id AS id FROM events WHERE event = 'Load Test'",
        )
      ).map((r) => r.id)
    const [a, b] = await Promise.all([ids(ingesterDir), ids(secondDir)])
    expect(a.length).toBeGreaterThan(1000)
    expect(b.length).toBeGreaterThan(2000)
    const [inA, inB] = [new Set(a), new Set(b)]
    expect(a.length - inA.size).toBe(0)
    expect(b.length - inB.size).toBe(0)
    const unique = new Set([...a, ...b])
    expect([...load.acked].filter((id) => !unique.has(id))).toEqual([])
    expect([...unique].filter((id) => !load.attempted.has(id))).toEqual([])
    const both = a.filter((id) => inB.has(id)).length
    console.log(
      `[scale-out] ${unique.size} events stored, ${both} of them by both ingesters around a handover`,
    )
  })
})

describe('an ingester stopped with SIGTERM while it loads', () => {
  it('commits the batch in hand before it leaves, so that no other ingester loads it again', {
    timeout: 240_000,
  }, async () => {
    const { ingester, collector, ingesterDir, broker } = stack
    await second.stop('SIGTERM')
    await ingester.stop('SIGTERM')
    const committed = () =>
      broker.withAdmin(async (admin) => {
        const [c] = await admin.fetchOffsets({
          groupId: 'touchpoint-ingester',
          topics: ['touchpoint.events'],
        })
        return c!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)
      })
    // a backlog, so that a batch is loading when the signal comes
    const backlog = new LoadGenerator(() => collector.url, keysIn(collector.dataDir).writeKey, 'k', {
      limit: 60_000,
      concurrency: 8,
    }).start()
    await backlog.done()
    expect(backlog.acked.size).toBe(60_000)
    await spoolDrained(collector.url, 60_000)
    const before = await committed()
    await ingester.start()
    await eventually(
      () => loaded(ingester.url),
      (n) => n > 5000,
      60_000,
    )
    expect(await ingester.stop('SIGTERM')).toBe(0)
    const after = await committed()
    const [row] = await embeddedSql<{ n: number }>(
      ingesterDir,
      "SELECT count() AS n FROM events WHERE startsWith(message_id, 'k-')",
    )
    // everything it loaded is committed: the next owner of its partitions reads on from there
    expect(Number(row!.n)).toBe(after - before)
  })
})
