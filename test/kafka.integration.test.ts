import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createKafka, topicRisks } from '@touchpoint/kafka'
import { type Admin, ConfigResourceTypes } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../services/collector/src/logger'
import { Metrics } from '../services/collector/src/metrics'
import { KafkaSink } from '../services/collector/src/pipeline/kafka'
import {
  CollectorProcess,
  cli,
  emailUrls,
  embeddedSql,
  freePort,
  keysIn,
  runCli,
  ServiceProcess as Service,
  type ServiceProcess,
  tempDir,
} from './helpers/collector'
import { basic, CHROME_UA, eventually, post } from './helpers/http'
import { Broker } from './helpers/kafka'
import { consumerCaughtUp, LoadGenerator, metricValue } from './helpers/load'

/**
 * Distributed mode with a real Apache Kafka broker: collector → topic → ingester → ClickHouse (chDB in the
 * ingester's data directory), counted exactly at the end.
 */
let broker: Broker
let collector: CollectorProcess
let ingester: ServiceProcess
let writeKey: string
const ingesterDir = tempDir('tp-ingester-')
const collectorDir = tempDir('tp-collector-')
const TOPIC = 'touchpoint.events'

const lagIsZero = () => consumerCaughtUp(ingester.url)

/**
 * Sets one setting of the events topic (AlterConfigs: the topic's other settings go back to the brokers'), and
 * waits until the broker describes it so: it applies a change from its metadata log a moment after the controller
 * has answered, and a describe in between (under load, in CI) read the setting before.
 */
const setTopicConfig = async (admin: Admin, name: string, value: string) => {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name, value }] }],
  })
  await eventually(
    async () => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: [name] }],
      })
      return resources[0]?.configEntries.find((e) => e.configName === name)?.configValue
    },
    (described) => described === value,
  )
}

beforeAll(async () => {
  broker = await Broker.create()
  await broker.start()
  const kafkaEnv = { KAFKA_BROKERS: broker.address, KAFKA_PARTITIONS: '3' }
  // the collector first: it writes the projects file, whose admin key the ingester's admin API takes
  collector = new CollectorProcess(collectorDir, await freePort(), kafkaEnv)
  await collector.start()
  writeKey = keysIn(collectorDir).writeKey
  ingester = new Service('ingest', ingesterDir, await freePort(), {
    ...kafkaEnv,
    TOUCHPOINT_CONFIG: join(collectorDir, 'touchpoint.json'),
  })
  await ingester.start()
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
  await ingester?.stop('SIGKILL')
  await broker?.stop()
})

let acked = new Set<string>()
/** the messageIds of the tracking plan's test: the last call it refused, and the call stored with its violation */
let planRefused = ''
let planStored = ''

describe('collector → Kafka → ingester → ClickHouse', () => {
  it('acknowledges events once Kafka has them, and reports ready', async () => {
    const load = new LoadGenerator(() => collector.url, writeKey, 'k', {
      limit: 3000,
      concurrency: 8,
    }).start()
    await load.done()
    expect(load.errors).toBe(0)
    expect(load.acked.size).toBe(3000)
    acked = load.acked
    const res = await post(
      `${collector.url}/v1/batch`,
      { batch: [{ type: 'track', anonymousId: 'bad-one' }] },
      { authorization: basic(writeKey) },
    )
    expect(res.body.rejected).toHaveLength(1)
    const ready = await (await fetch(`${collector.url}/readyz`)).json()
    expect(ready).toEqual({ ready: true, status: 'ok' })
    await lagIsZero()
  })

  it('sends poison messages to the dead-letter topic and keeps loading the partition', async () => {
    const kafka = createKafka({ brokers: [broker.address], clientId: 'test-poisoner' })
    const producer = kafka.producer()
    await producer.connect()
    const okId = randomUUID()
    await producer.send({
      topic: TOPIC,
      messages: [
        { key: 'p', value: 'not json at all', headers: { kind: '1', id: randomUUID() } },
        { key: 'p', value: '{"event":"no kind header"}' },
        // well formed, but ClickHouse cannot parse the timestamp: isolated and dead-lettered, not retried forever
        {
          key: 'p',
          value: JSON.stringify({
            event_id: randomUUID(),
            project_id: 'dev',
            event: 'Poison',
            timestamp: 'not a time',
          }),
          headers: { kind: '1', id: randomUUID() },
        },
        {
          key: 'p',
          value: JSON.stringify({
            event_id: okId,
            project_id: 'dev',
            event: 'After Poison',
            timestamp: '2026-11-22 10:00:00.000',
          }),
          headers: { kind: '1', id: okId },
        },
      ],
    })
    await producer.disconnect()
    await eventually(
      () => metricValue(ingester.url, 'touchpoint_ingester_dead_lettered_total'),
      () => true,
      1000,
    )
    const dlq = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` })
    await dlq.connect()
    await dlq.subscribe({ topic: 'touchpoint.events.dlq', fromBeginning: true })
    const reasons: string[] = []
    await dlq.run({
      eachMessage: async ({ message }) => void reasons.push(String(message.headers?.['dlq-reason'])),
    })
    await eventually(
      async () => reasons.length,
      (n) => n >= 3,
      30_000,
    )
    await dlq.disconnect()
    expect(reasons.sort()).toEqual([
      'missing or unknown kind header',
      'refused by ClickHouse',
      'value is not JSON',
    ])
    await lagIsZero()
  })

  it('answers email opens and clicks once Kafka has them', async () => {
    const answers = await Promise.all(
      emailUrls(collectorDir, collector.url, 'kafka', 40).map(async (url) => {
        const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': CHROME_UA } })
        await res.arrayBuffer()
        return res.status
      }),
    )
    expect(answers.filter((s) => s === 200)).toHaveLength(20)
    expect(answers.filter((s) => s === 302)).toHaveLength(20)
    await lagIsZero()
  })

  it("keeps a tracking plan's refusals and noted violations, through Kafka like any refusal", async () => {
    const file = join(collectorDir, 'touchpoint.json')
    const setPlan = (violations: 'refuse' | 'report') => {
      const config = JSON.parse(readFileSync(file, 'utf8'))
      config.projects[0].trackingPlan = {
        events: { 'Plan Selected': { properties: { plan: { type: 'string', required: true } } } },
        violations,
      }
      writeFileSync(file, JSON.stringify(config))
    }
    const send = (messageId: string) =>
      post(
        `${collector.url}/v1/track`,
        { anonymousId: 'planner', messageId, event: 'Plan Selected', properties: { seats: 2 } },
        { authorization: basic(writeKey), 'user-agent': CHROME_UA },
      )
    // the collector picks each change of the projects file up by itself; the answers tell when it has
    let n = 0
    setPlan('refuse')
    const refused = await eventually(
      () => send(`plan-${n++}`),
      (r) => r.status === 400,
    )
    expect(refused.body).toMatchObject({ code: 'TP_ERR_TRACKING_PLAN', path: 'properties.plan' })
    planRefused = `plan-${n - 1}`
    setPlan('report')
    await eventually(
      () => send(`plan-${n++}`),
      (r) => r.status === 200,
    )
    planStored = `plan-${n - 1}`
    await lagIsZero()
  })

  it('takes an event carrying half an emoji through Kafka, to be stored rather than dead-lettered', async () => {
    // a lone surrogate, as JSON carries it: ClickHouse refused the row for it, and the ingester dead-lettered it
    const half = String.raw`{"event":"Half \ud83d","anonymousId":"half-emoji","properties":{"note":"\ude00"}}`
    const sent = await post(`${collector.url}/v1/track`, half, {
      authorization: basic(writeKey),
      'user-agent': CHROME_UA,
    })
    expect(sent.status).toBe(200)
    await lagIsZero()
  })

  it("created its topic to be deleted by age, never compacted, whatever the brokers' default", () =>
    broker.withAdmin(async (admin) => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['cleanup.policy'] }],
      })
      // set on the topic itself (not the brokers' default, which may be compact)
      expect(resources[0]!.configEntries).toMatchObject([
        { configName: 'cleanup.policy', configValue: 'delete', isDefault: false },
      ])
    }))

  it('reads batches the broker stored compressed with ZSTD, LZ4 or Snappy, each event once', () =>
    // the topic's compression.type makes the broker recompress what it stores with that codec (Java's zstd-jni,
    // lz4-java, snappy-java); before, the ingester's consumer crashed on each fetch and loaded nothing
    broker.withAdmin(async (admin) => {
      try {
        for (const codec of ['zstd', 'lz4', 'snappy']) {
          await setTopicConfig(admin, 'compression.type', codec)
          const load = new LoadGenerator(() => collector.url, writeKey, `z-${codec}`, {
            limit: 500,
            concurrency: 4,
            name: 'Compressed',
          }).start()
          await load.done()
          expect(load.acked.size).toBe(500)
          await lagIsZero()
          const { adminKey } = keysIn(collectorDir)
          const stored = await post(
            `${ingester.url}/api/sql`,
            {
              query: `SELECT count() AS n, uniqExact(message_id) AS u FROM events WHERE message_id LIKE 'z-${codec}-%'`,
            },
            { authorization: `Bearer ${adminKey}` },
          )
          expect(stored.body.rows).toEqual([{ n: 500, u: 500 }])
        }
      } finally {
        await setTopicConfig(admin, 'compression.type', 'producer')
      }
    }))

  it("says, for the services' logs, when the topic is compacted and would lose events not yet loaded", () =>
    broker.withAdmin(async (admin) => {
      try {
        expect(await topicRisks(admin, TOPIC)).toEqual([])
        await setTopicConfig(admin, 'cleanup.policy', 'compact,delete')
        expect(await topicRisks(admin, TOPIC)).toEqual([
          `the topic ${TOPIC} has cleanup.policy=compact,delete: compaction keeps only each person's last event, so events the ingesters have not loaded yet are lost; set cleanup.policy=delete on it`,
        ])
      } finally {
        await setTopicConfig(admin, 'cleanup.policy', 'delete')
      }
      // a topic whose settings cannot be read (none such here, as for a client its ACLs do not let) says nothing
      expect(await topicRisks(admin, 'no.such.topic')).toEqual([])
    }))

  it('shows consumer lag, rows loaded and insert latency on /metrics', async () => {
    const text = await (await fetch(`${ingester.url}/metrics`)).text()
    expect(text).toMatch(/touchpoint_ingester_consumer_lag\{partition="0"\} 0/)
    expect(text).toMatch(/touchpoint_ingester_insert_latency_seconds_count [1-9]/)
    expect(text).toMatch(/touchpoint_ingester_rows_loaded_total\{table="events"\} [1-9]/)
  })

  it("answers the admin API over what it loaded, with the collector's admin key; the collector cannot", async () => {
    const { adminKey } = keysIn(collectorDir)
    const ask = (url: string, key: string) =>
      post(
        `${url}/api/sql`,
        { query: "SELECT count() AS n FROM events WHERE event = 'Load Test'" },
        { authorization: `Bearer ${key}` },
      )
    const answer = await ask(ingester.url, adminKey)
    expect(answer.status).toBe(200)
    expect(Number(answer.body.rows[0].n)).toBe(acked.size)
    expect((await ask(ingester.url, 'tpa_not_a_key_0123456789')).body.code).toBe('TP_ERR_ADMIN_UNAUTHORIZED')
    const refused = await ask(collector.url, adminKey)
    expect(refused.status).toBe(503)
    expect(refused.body.code).toBe('TP_ERR_NO_STORAGE')
    // its OpenAPI document lists what it answers: the admin API, and no tracking route
    const doc = (await (await fetch(`${ingester.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>
    }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/sql', '/api/funnel', '/healthz', '/readyz']),
    )
    expect(
      Object.keys(doc.paths).filter(
        (p) => !p.startsWith('/api/') && !['/healthz', '/readyz', '/metrics'].includes(p),
      ),
    ).toEqual([])
    // `touchpoint status` at the ingester: its state and figures
    const status = await runCli(['status'], {
      TOUCHPOINT_DATA_DIR: collectorDir,
      TOUCHPOINT_URL: ingester.url,
    })
    expect(status.stdout).toMatch(
      /^http:\/\/\S+: ready, ok; storage reachable\n {2}since it started: \d+ rows loaded/,
    )
    expect(status.code).toBe(0)
    // the CLI's reports, through the ingester (the admin key from the collector's data directory): the call the
    // first test had refused, kept with its reason
    const report = await cli(['report', 'rejected', '--json'], {
      TOUCHPOINT_DATA_DIR: collectorDir,
      TOUCHPOINT_URL: ingester.url,
    })
    const rows = JSON.parse(report).rows as Array<{ code: string; field: string; refused: number }>
    expect(rows).toContainEqual(
      expect.objectContaining({ code: 'TP_ERR_VALIDATION', field: 'event', refused: 1 }),
    )
  })

  it('erases and exports what the collector acknowledged just before, once the ingesters have stored it', async () => {
    // an account deleted right after its last event: on the code before, the ingester's erasure found nothing, and
    // the event, still in Kafka, was loaded after it
    const { adminKey, secretKey } = keysIn(collectorDir)
    const admin = { authorization: `Bearer ${adminKey}` }
    const last = (userId: string) =>
      post(
        `${collector.url}/v1/track`,
        { userId, event: 'Account Deleted' },
        { authorization: basic(secretKey) },
      )
    expect((await last('k-exporter')).status).toBe(200)
    const exported = await fetch(`${ingester.url}/api/export`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'dev', userId: 'k-exporter' }),
    })
    expect((await exported.text()).match(/"kind":"event"/g)).toHaveLength(1)

    expect((await last('k-leaver')).status).toBe(200)
    const erased = await post(`${ingester.url}/api/forget`, { project: 'dev', userId: 'k-leaver' }, admin)
    expect(erased.body.deleted.events).toBe(1)

    // the collector's sink asks the same of Kafka, for a collector that answers the admin API (CLICKHOUSE_URL): an
    // event acknowledged before its answer is queryable after it; a group that consumes nothing never gets there
    const sinkOf = async (ingesterGroup: string) =>
      KafkaSink.start(
        {
          brokers: [broker.address],
          clientId: 'stored-test',
          topic: TOPIC,
          partitions: 3,
          replication: 1,
          ingesterGroup,
          lingerMs: 5,
          maxBatchRecords: 100,
          compression: 'none',
          ackTimeoutMs: 5000,
          spoolDir: tempDir('tp-stored-'),
          spoolMaxBytes: 1e8,
        },
        new Metrics(),
        createLogger('silent'),
      )
    const sink = await sinkOf('touchpoint-ingester')
    const nobody = await sinkOf('a-group-that-consumes-nothing')
    try {
      expect((await last('k-after')).status).toBe(200)
      expect(await sink.stored(20_000)).toBe(true)
      const found = await post(
        `${ingester.url}/api/sql`,
        { query: "SELECT count() AS n FROM events WHERE user_id = 'k-after'" },
        admin,
      )
      expect(Number(found.body.rows[0].n)).toBe(1)
      expect(await nobody.stored(1000)).toBe(false)
    } finally {
      await sink.close()
      await nobody.close()
    }
  })

  it('stored every acknowledged event exactly once, and the valid event after the poison', async () => {
    expect(await ingester.stop('SIGTERM')).toBe(0)
    const [row] = await embeddedSql<{ n: number; u: number }>(
      ingesterDir,
      "SELECT count() AS n, uniqExact(message_id) AS u FROM events WHERE event = 'Load Test'",
    )
    expect(Number(row!.n)).toBe(acked.size)
    expect(Number(row!.u)).toBe(acked.size)
    const after = await embeddedSql(
      ingesterDir,
      "SELECT event FROM events WHERE event IN ('After Poison', 'Poison')",
    )
    expect(after).toEqual([{ event: 'After Poison' }])
    const halves = await embeddedSql(
      ingesterDir,
      "SELECT event, JSONExtractString(properties, 'note') AS note FROM events WHERE anonymous_id = 'half-emoji'",
    )
    expect(halves).toEqual([{ event: 'Half \ufffd', note: '\ufffd' }])
    const rejected = await embeddedSql<{ n: number }>(
      ingesterDir,
      "SELECT count() AS n FROM events_rejected WHERE raw LIKE '%bad-one%'",
    )
    expect(Number(rejected[0]!.n)).toBe(1)
    const email = await embeddedSql<{ event: string; n: number }>(
      ingesterDir,
      `SELECT event, count() AS n FROM events WHERE JSONExtractString(properties, 'campaignId') = 'kafka'
      GROUP BY event ORDER BY event`,
    )
    expect(email.map((r) => [r.event, Number(r.n)])).toEqual([
      ['Email Clicked', 20],
      ['Email Opened', 20],
    ])
    const planned = await embeddedSql<{ message_id: string }>(
      ingesterDir,
      `SELECT message_id FROM events WHERE message_id IN ('${planRefused}', '${planStored}')`,
    )
    expect(planned).toEqual([{ message_id: planStored }])
    const violations = await embeddedSql<{ error_code: string; id: string }>(
      ingesterDir,
      `SELECT error_code, JSONExtractString(raw, 'messageId') AS id FROM events_rejected
      WHERE JSONExtractString(raw, 'messageId') IN ('${planRefused}', '${planStored}') ORDER BY error_code`,
    )
    expect(violations).toEqual([
      { error_code: 'TP_ERR_TRACKING_PLAN', id: planRefused },
      { error_code: 'TP_PLAN_VIOLATION', id: planStored },
    ])
  })

  it('keeps an erased person out when a new group reads the whole topic again into the same ClickHouse', async () => {
    // a rebuild from Kafka (a new KAFKA_GROUP_ID, or the group's offsets reset): on the code before, k-leaver's
    // event, still in the topic, was loaded again. Everyone else's are in the dedupe window, and stay once.
    const rebuild = new Service('ingest', ingesterDir, await freePort(), {
      KAFKA_BROKERS: broker.address,
      KAFKA_PARTITIONS: '3',
      KAFKA_GROUP_ID: 'touchpoint-rebuild',
      TOUCHPOINT_CONFIG: join(collectorDir, 'touchpoint.json'),
    })
    await rebuild.start()
    try {
      await consumerCaughtUp(rebuild.url)
      const found = await post(
        `${rebuild.url}/api/sql`,
        {
          query: `SELECT countIf(user_id = 'k-leaver') AS gone, countIf(user_id = 'k-after') AS after,
            countIf(event = 'Load Test') AS load, uniqExactIf(message_id, event = 'Load Test') AS unique FROM events`,
        },
        { authorization: `Bearer ${keysIn(collectorDir).adminKey}` },
      )
      const counts = Object.fromEntries(Object.entries(found.body.rows[0]).map(([k, v]) => [k, Number(v)]))
      expect(counts).toEqual({ gone: 0, after: 1, load: acked.size, unique: acked.size })
      expect(await metricValue(rebuild.url, 'touchpoint_ingester_erased_skipped_total')).toBe(1)
    } finally {
      expect(await rebuild.stop('SIGTERM')).toBe(0)
    }
  })
})
