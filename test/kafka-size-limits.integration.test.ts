import { randomUUID } from 'node:crypto'
import { createKafka } from '@touchpoint/kafka'
import { CompressionTypes } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RECORD_KIND } from '../packages/loader/src/record'
import { createLogger } from '../services/collector/src/logger'
import { Metrics } from '../services/collector/src/metrics'
import { KafkaSink } from '../services/collector/src/pipeline/kafka'
import { freePort, ServiceProcess, tempDir } from './helpers/collector'
import { eventually } from './helpers/http'
import { Broker } from './helpers/kafka'
import { consumerCaughtUp } from './helpers/load'

/**
 * Kafka takes at most message.max.bytes (1 MB by default) of one partition in one produce, and kafkajs sends all
 * of a partition's records in one: what the collector and the ingester send past that goes again in parts
 * (sendInParts), where it once stuck for ever. A real broker, and an ingester reading its topic.
 */
let broker: Broker
let ingester: ServiceProcess
const TOPIC = 'touchpoint.events'

const lagIsZero = () => consumerCaughtUp(ingester.url)

/** How many messages a topic has taken, over all its partitions. */
async function messagesIn(topic: string): Promise<number> {
  const admin = createKafka({ brokers: [broker.address], clientId: 'test-offset-reader' }).admin()
  await admin.connect()
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0)
  } finally {
    await admin.disconnect()
  }
}

beforeAll(async () => {
  broker = await Broker.create()
  await broker.start()
  ingester = new ServiceProcess('ingest', tempDir('tp-sizes-ingester-'), await freePort(), {
    KAFKA_BROKERS: broker.address,
    KAFKA_PARTITIONS: '3',
  })
  await ingester.start()
})

afterAll(async () => {
  await ingester?.stop('SIGKILL')
  await broker?.stop()
})

describe("sends past the broker's size limit", () => {
  it('dead-letters megabytes of poison in parts, where the partition once stuck on it', async () => {
    const dlqHigh = () => messagesIn(`${TOPIC}.dlq`)
    const before = await dlqHigh()
    // 400 undecodable messages of 8 KB in one partition, gzipped to a few kilobytes on the way in: the ingester
    // reads them in one batch, 3.2 MB to dead-letter, where the broker takes 1 MB in one produce
    const producer = createKafka({ brokers: [broker.address], clientId: 'test-big-poisoner' }).producer()
    await producer.connect()
    const filler = 'x'.repeat(8 * 1024)
    await producer.send({
      topic: TOPIC,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 400 }, (_, i) => ({
        key: 'dev:big-poison',
        value: `not json ${i} ${filler}`,
        headers: { kind: '1', id: randomUUID() },
      })),
    })
    await producer.disconnect()
    await eventually(dlqHigh, (n) => n >= before + 400, 30_000)
    expect(await dlqHigh()).toBe(before + 400)
    await lagIsZero()
  })

  it('produces what is too large for one produce in parts, where it once spooled it for ever', async () => {
    const bigTopic = 'touchpoint.big'
    const metrics = new Metrics()
    const sink = await KafkaSink.start(
      {
        brokers: [broker.address],
        clientId: 'big-test',
        topic: bigTopic,
        partitions: 1,
        replication: 1,
        ingesterGroup: 'touchpoint-ingester',
        lingerMs: 5,
        maxBatchRecords: 5000,
        compression: 'none',
        ackTimeoutMs: 5000,
        spoolDir: tempDir('tp-big-'),
        spoolMaxBytes: 1e9,
      },
      metrics,
      createLogger('silent'),
    )
    try {
      // one person's 400 events of 8 KB, as an import sends them: 3.2 MB for one partition; the broker takes 1 MB
      const filler = 'x'.repeat(8 * 1024)
      await sink.append(
        Array.from({ length: 400 }, (_, i) => ({
          kind: RECORD_KIND.event,
          id: `big-${i}`,
          payload: JSON.stringify({ i, filler }),
          key: 'dev:big',
        })),
      )
      expect(sink.status()).toBe('ok')
      expect(metrics.render()).toMatch(/^touchpoint_kafka_produces_split_total [1-9]/m)
      expect(await messagesIn(bigTopic)).toBe(400)
    } finally {
      await sink.close()
    }
  })
})
