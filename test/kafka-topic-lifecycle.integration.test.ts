import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, embeddedSql, freePort, keysIn, ServiceProcess, tempDir } from './helpers/collector'
import { eventually } from './helpers/http'
import { Broker } from './helpers/kafka'
import { consumerCaughtUp, LoadGenerator, metricValue, spoolDrained } from './helpers/load'

/**
 * What the services do when the topic's records, or the topic itself, go away under them, with a real broker:
 * - it was down for longer than the topic keeps its records, and the broker deleted what the group had not read
 *   (here `DeleteRecords`, what retention does to a partition's oldest segments). Those events are lost and cannot
 *   be got back; it says so (its log, a counter), counts its lag from what is left, and loads what came after once;
 * - the topic was deleted and made again (or the same name on a new cluster): its offsets start at 0 again, and the
 *   new records must not be taken for the old ones that had the same offsets;
 * - the topic is deleted while both services run under load: they make it again, as at start, and every event
 *   acknowledged after it went is stored once (what it held that was not loaded yet went with it).
 */
const TOPIC = 'touchpoint.events'
let broker: Broker
let collector: CollectorProcess
let ingester: ServiceProcess
let writeKey: string
const ingesterDir = tempDir('tp-topics-ingester-')
const collectorDir = tempDir('tp-topics-collector-')

async function topicGone(): Promise<void> {
  await broker.withAdmin(async (admin) => {
    await admin.deleteTopics({ topics: [TOPIC], timeout: 30_000 })
    await eventually(
      () => admin.listTopics(),
      (topics) => !topics.includes(TOPIC),
      30_000,
    )
  })
}

/** Sends `limit` events with ids `prefix-…`, all of them acknowledged. */
async function send(prefix: string, limit: number, concurrency = 4): Promise<Set<string>> {
  const load = new LoadGenerator(() => collector.url, writeKey, prefix, { limit, concurrency }).start()
  await load.done()
  expect(load.acked.size).toBe(limit)
  return load.acked
}

const stored = async (prefix: string) => {
  const [row] = await embeddedSql<{ n: number; u: number }>(
    ingesterDir,
    `SELECT count() AS n, uniqExact(message_id) AS u FROM events WHERE startsWith(message_id, '${prefix}-')`,
  )
  return { n: Number(row!.n), distinct: Number(row!.u) }
}

beforeAll(async () => {
  broker = await Broker.create()
  await broker.start()
  const env = { KAFKA_BROKERS: broker.address, KAFKA_PARTITIONS: '3', INGEST_SESSION_TIMEOUT_MS: '6000' }
  collector = new CollectorProcess(collectorDir, await freePort(), env)
  await collector.start()
  writeKey = keysIn(collectorDir).writeKey
  ingester = new ServiceProcess('ingest', ingesterDir, await freePort(), env)
  await ingester.start()
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
  await ingester?.stop('SIGKILL')
  await broker?.stop()
})

describe('when records, or the topic, go away under the services', () => {
  it('names and counts the records retention deleted unread, and loads what came after once', {
    timeout: 180_000,
  }, async () => {
    await send('a', 600)
    await consumerCaughtUp(ingester.url)
    expect(await ingester.stop('SIGTERM')).toBe(0)

    await send('b', 400)
    // what retention does to records older than retention.ms: the partitions now start past every 'b' event
    const deleted = await broker.withAdmin(async (admin) => {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(TOPIC),
        admin.fetchOffsets({ groupId: 'touchpoint-ingester', topics: [TOPIC] }),
      ])
      const at = new Map(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]))
      // each partition took 'a' events, so the group has an offset committed on each
      expect([...at.values()].every((o) => o > 0)).toBe(true)
      await admin.deleteTopicRecords({
        topic: TOPIC,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      })
      return ends.reduce((sum, p) => sum + Number(p.high) - at.get(p.partition)!, 0)
    })
    expect(deleted).toBe(400)

    await send('c', 300)
    await ingester.start()
    await consumerCaughtUp(ingester.url)
    expect(await metricValue(ingester.url, 'touchpoint_ingester_messages_expired_total')).toBe(400)
    expect(ingester.output).toMatch(/messages were deleted from partition \d+ of touchpoint\.events/)
    // it counts its lag from what the partitions still hold
    expect(await metricValue(ingester.url, 'touchpoint_ingester_consumer_lag_total')).toBe(0)
    await eventually(
      async () => (await (await fetch(`${ingester.url}/readyz`)).json()) as { status: string },
      (r) => r.status === 'ok',
      30_000,
    )

    expect(await ingester.stop('SIGTERM')).toBe(0)
    expect(await stored('a')).toEqual({ n: 600, distinct: 600 })
    expect(await stored('b')).toEqual({ n: 0, distinct: 0 })
    expect(await stored('c')).toEqual({ n: 300, distinct: 300 })
  })
  it('loads a topic made again under the same name, its offsets from 0 again, as new records', {
    timeout: 180_000,
  }, async () => {
    // twice: the topic made again, the same 30 people's events sent with the ingester stopped, then loaded. Both
    // times each partition holds the same number of records and is read in one batch, offsets 0 to n - 1
    await ingester.stop('SIGTERM')
    for (const prefix of ['x', 'y']) {
      await collector.stop('SIGTERM')
      await topicGone()
      await collector.start()
      await send(prefix, 30, 1)
      await ingester.start()
      await consumerCaughtUp(ingester.url)
      expect(await ingester.stop('SIGTERM')).toBe(0)
    }
    expect(await stored('x')).toEqual({ n: 30, distinct: 30 })
    expect(await stored('y')).toEqual({ n: 30, distinct: 30 })
  })
  it('makes the topic again when it is deleted under load, and stores what came after once', {
    timeout: 240_000,
  }, async () => {
    await ingester.stop('SIGTERM') // (run alone, the ingester beforeAll started is running)
    await ingester.start()
    const load = new LoadGenerator(() => collector.url, writeKey, 'z', {
      concurrency: 2,
      pauseMs: 20,
    }).start()
    try {
      // the partitions run well past what the topic made again takes in before the ingester fetches from it: its
      // consumer goes on at the offsets it had, which the new partitions do not hold, so kafkajs starts them over
      // (README: a topic made again under a running ingester that has already passed those offsets is not)
      await eventually(
        async () => load.acked.size,
        (n) => n > 3000,
        30_000,
      )
      await broker.withAdmin((admin) => admin.deleteTopics({ topics: [TOPIC], timeout: 30_000 }))
      // what was sent before it went may have gone with the topic; everything sent after must be stored
      const before = new Set(load.attempted)
      const ackedAt = load.acked.size
      await eventually(
        async () => load.acked.size,
        (n) => n > ackedAt + 2000,
        60_000,
      )
      const status = async (url: string) =>
        ((await (await fetch(`${url}/readyz`)).json()) as { status: string }).status
      // the collector replays its spool into the topic made again and produces straight to it
      await eventually(
        () => status(collector.url),
        (s) => s === 'ok',
        60_000,
      )
      await eventually(
        () => status(ingester.url),
        (s) => s === 'ok',
        60_000,
      )
      expect(collector.output + ingester.output).toMatch(/made (it|them) again/)
      await load.stop()
      expect(load.errors).toBe(0)
      await spoolDrained(collector.url, 60_000)
      await consumerCaughtUp(ingester.url)
      expect(await ingester.stop('SIGTERM')).toBe(0)
      const rows = await embeddedSql<{ id: string; n: number }>(
        ingesterDir,
        "SELECT message_id AS id, count() AS n FROM events WHERE startsWith(message_id, 'z-') GROUP BY id",
      )
      expect(rows.filter((r) => Number(r.n) > 1)).toEqual([])
      expect(rows.filter((r) => !load.attempted.has(r.id))).toEqual([])
      const stored = new Set(rows.map((r) => r.id))
      const after = [...load.acked].filter((id) => !before.has(id))
      expect(after.length).toBeGreaterThan(2000)
      expect(after.filter((id) => !stored.has(id))).toEqual([])
    } finally {
      await load.stop()
    }
  })
})
