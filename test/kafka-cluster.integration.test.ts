import { setTimeout as sleep } from 'node:timers/promises'
import { createKafka } from '@touchpoint/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CollectorProcess, ServiceProcess } from './helpers/collector'
import { expectExactlyOnce } from './helpers/exactly-once'
import { eventually } from './helpers/http'
import { Broker } from './helpers/kafka'
import { type KafkaStack, printLogsOnFailure, startKafkaStack, stopKafkaStack } from './helpers/kafka-stack'
import { type LoadGenerator, metricValue } from './helpers/load'

/**
 * Distributed mode on a cluster of three brokers, as production runs Kafka: every topic on all three, a write
 * acknowledged once two have it. Under a steady load, the broker that leads most of the events topic's partitions
 * is killed with kill -9, and once it is back, the next one. The collector goes on producing to the new leaders
 * rather than into its local spool, the ingester goes on loading, and every acknowledged event is stored exactly
 * once. (The single-broker fault tests show the spool carrying a collector through a whole outage.)
 *
 * It found two faults. kafkajs's send() kept what a retry may skip by broker: a partition whose leader was killed,
 * moved to a broker that had already answered for its own partitions, was never sent again, and send() resolved,
 * so the collector acknowledged events that Kafka never had (2 runs in 3 lost 14-47 of them;
 * patches/kafkajs@2.2.4.patch keeps it by partition). And the first ingester on a new cluster exited, as brokers
 * that had not yet learnt of the topics it created answered that they did not host them (onceTopicsKnown).
 */
const EVENT = 'Cluster Load'
let stack: KafkaStack
let brokers: Broker[]
let collector: CollectorProcess
let ingester: ServiceProcess
let ingesterDir: string
let load: LoadGenerator

beforeAll(async () => {
  stack = await startKafkaStack(
    'cluster',
    { concurrency: 4, pauseMs: 50, prefix: 'c', event: EVENT },
    {},
    await Broker.cluster(3),
  )
  ;({ brokers, collector, ingester, ingesterDir, load } = stack)
}, 240_000)

printLogsOnFailure(() => stack)

afterAll(() => stopKafkaStack(stack))

/** The broker that leads most partitions of the events topic, as the cluster's metadata says. */
async function busiestLeader(): Promise<Broker> {
  const admin = createKafka({ brokers: brokers.map((b) => b.address), clientId: 'test-leaders' }).admin()
  await admin.connect()
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['touchpoint.events'] })
    const led = new Map<number, number>()
    for (const p of topics[0]!.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1)
    const [id] = [...led.entries()].sort((a, b) => b[1] - a[1])[0]!
    return brokers[id - 1]!
  } finally {
    await admin.disconnect()
  }
}

const produced = () => metricValue(collector.url, 'touchpoint_kafka_produced_total')

describe('a cluster of three brokers', () => {
  it("keeps taking the collector's writes while one broker at a time is killed", {
    timeout: 240_000,
  }, async () => {
    await eventually(
      async () => load.acked.size,
      (n) => n > 300,
      30_000,
    )
    for (let round = 0; round < 2; round++) {
      const victim = await busiestLeader()
      await victim.kill()
      const before = await produced()
      // the partitions it led get new leaders among the other two, and the writes go to them: Kafka has them,
      // not only the collector's spool
      await eventually(produced, (n) => n > before + 500, 60_000)
      await eventually(
        async () => (await (await fetch(`${collector.url}/readyz`)).json()) as { status: string },
        (r) => r.status === 'ok',
        30_000,
      )
      await victim.start()
      await sleep(3000)
    }
    expect(load.statuses.get(503) ?? 0).toBe(0)
  })

  it('stored every acknowledged event exactly once', { timeout: 180_000 }, async () => {
    const { acked, stored } = await expectExactlyOnce(
      { collector, ingester, ingesterDir, load, event: EVENT },
      (step) => console.log(`[cluster] ${step}`),
    )
    expect(acked).toBeGreaterThan(1000)
    expect(stored).toBeGreaterThanOrEqual(acked)
  })
})
