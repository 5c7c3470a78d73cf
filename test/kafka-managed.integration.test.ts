import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { createKafka, ensureTopics } from '@touchpoint/kafka'
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../services/collector/src/logger'
import { Metrics } from '../services/collector/src/metrics'
import { KafkaSink } from '../services/collector/src/pipeline/kafka'
import { CollectorProcess, freePort, keysIn, ServiceProcess, tempDir } from './helpers/collector'
import { basic, eventually, post, sql } from './helpers/http'
import { Broker, type BrokerSecurity, SASL_USER } from './helpers/kafka'
import { metricValue } from './helpers/load'

/**
 * Managed Kafka asks its clients for TLS and a password (Confluent Cloud: SASL PLAIN; Amazon MSK and Redpanda
 * Cloud: SCRAM) or a client certificate (Aiven), may check ACLs, and sets how topics are replicated. Real brokers
 * that ask for each carry events from a collector to an ingester; a client they refuse does not start, and says
 * which setting to look at.
 */

interface Deployment {
  broker: Broker
  collector: CollectorProcess
  ingester: ServiceProcess
}

/**
 * A broker of `security`, then a collector and an ingester (answering the admin API) connected to it, each with
 * its own SASL mechanism where the broker asks for one.
 */
async function deploy(
  security: BrokerSecurity,
  mechanisms = { collector: 'scram-sha-512', ingester: 'scram-sha-512' },
  props: string[] = [],
): Promise<Deployment> {
  const broker = await Broker.create(security, { props })
  await broker.start()
  return startServices(
    broker,
    broker.serviceEnv(mechanisms.collector),
    broker.serviceEnv(mechanisms.ingester),
  )
}

/** A collector and an ingester (answering the admin API) on `broker`, each with its own variables. */
async function startServices(
  broker: Broker,
  collectorEnv: Record<string, string>,
  ingesterEnv: Record<string, string>,
): Promise<Deployment> {
  const collectorDir = tempDir(`tp-${broker.security}-collector-`)
  const collector = new CollectorProcess(collectorDir, await freePort(), {
    KAFKA_PARTITIONS: '3',
    ...collectorEnv,
  })
  // the collector first: it writes the projects file, whose admin key the ingester's admin API takes
  await collector.start()
  const ingester = new ServiceProcess(
    'ingest',
    tempDir(`tp-${broker.security}-ingester-`),
    await freePort(),
    {
      KAFKA_PARTITIONS: '3',
      TOUCHPOINT_CONFIG: join(collectorDir, 'touchpoint.json'),
      ...ingesterEnv,
    },
  )
  await ingester.start()
  return { broker, collector, ingester }
}

async function stop(d: Deployment | undefined): Promise<void> {
  await d?.collector.stop('SIGKILL')
  await d?.ingester.stop('SIGKILL')
  await d?.broker.stop()
}

/** Waits for the ingester to have stored the `n` events of `run` (their property), and checks each is there once. */
async function storedOnce(d: Deployment, run: string, n: number): Promise<void> {
  const stored = await eventually(
    () =>
      sql<{ events: number; ids: number }>(
        d.ingester.url,
        keysIn(d.collector.dataDir).adminKey,
        "SELECT count() AS events, uniqExact(message_id) AS ids FROM events WHERE JSONExtractString(properties, 'run') = {run:String}",
        { run },
      ),
    (rows) => Number(rows[0]?.events) >= n,
    30_000,
  )
  expect(stored[0]).toEqual({ events: n, ids: n })
}

/** One track call to a collector of its own data directory's dev project: the answer's status. */
async function trackOne(collector: CollectorProcess, event: string): Promise<number> {
  const auth = { authorization: basic(keysIn(collector.dataDir).writeKey) }
  return (await post(`${collector.url}/v1/track`, { event, anonymousId: 'a-1' }, auth)).status
}

/** Sends `n` events to the collector in one batch, each acknowledged; returns the run their property names. */
async function sendRun(d: Deployment, n: number): Promise<string> {
  const { writeKey } = keysIn(d.collector.dataDir)
  const run = randomUUID()
  const batch = Array.from({ length: n }, (_, i) => ({
    type: 'track',
    event: 'Secured',
    messageId: `${run}-${i}`,
    anonymousId: `a-${i}`,
    properties: { run },
  }))
  const res = await post(`${d.collector.url}/v1/batch`, { batch }, { authorization: basic(writeKey) })
  expect(res.status).toBe(200)
  expect(res.body.accepted).toBe(n)
  return run
}

/** Sends `n` events to the collector, and waits for the ingester to have stored each of them once. */
async function carries(d: Deployment, n: number): Promise<void> {
  await storedOnce(d, await sendRun(d, n), n)
}

/** The start of a service that must not start: its exit, and what it said. */
async function refusedStart(service: ServiceProcess): Promise<string> {
  const started = Date.now()
  const error = await service.start().then(
    () => new Error('it started'),
    (err: Error) => err,
  )
  expect(error.message).toMatch(/exited with 1/)
  // a refusal is told at once, not after the minutes of retries an unreachable broker gets
  expect(Date.now() - started).toBeLessThan(20_000)
  return service.output
}

describe('SASL over TLS (SASL_SSL), as Confluent Cloud, Amazon MSK and Redpanda Cloud ask', () => {
  let d: Deployment
  beforeAll(async () => {
    // the collector with PLAIN (as Confluent Cloud), the ingester with SCRAM-SHA-512 (as MSK): the broker takes both
    // sessions of 12 s, as a broker that makes its clients authenticate again asks (KIP-368): kafkajs does so
    // 10 s before a session ends, so every 2 s here
    d = await deploy('sasl_ssl', { collector: 'PLAIN', ingester: 'scram-sha-512' }, [
      'connections.max.reauth.ms=12000',
    ])
  })
  afterAll(() => stop(d))

  it('carries events from the collector through the broker into ClickHouse, each once', async () => {
    expect(d.collector.output).toContain(
      `(TLS, SASL plain as ${SASL_USER.username}; topic touchpoint.events)`,
    )
    expect(d.ingester.output).toContain(`(TLS, SASL scram-sha-512 as ${SASL_USER.username})`)
    await carries(d, 25)
  })

  it('goes on producing and consuming through the sessions the broker ends, each event once', async () => {
    const { writeKey } = keysIn(d.collector.dataDir)
    const run = randomUUID()
    // 25 s of calls: two of the broker's session lifetimes, a dozen re-authentications of each client
    for (let i = 0; i < 50; i++) {
      const res = await post(
        `${d.collector.url}/v1/track`,
        {
          event: 'Across Sessions',
          anonymousId: `s-${i % 7}`,
          messageId: `${run}-${i}`,
          properties: { run },
        },
        { authorization: basic(writeKey) },
      )
      expect(res.status).toBe(200)
      await new Promise((r) => setTimeout(r, 500))
    }
    expect(await metricValue(d.collector.url, 'touchpoint_kafka_produce_errors_total')).toBe(0)
    await storedOnce(d, run, 50)
  })

  it('a collector with a wrong password does not start, and names the settings', async () => {
    const wrong = new CollectorProcess(tempDir('tp-wrong-password-'), await freePort(), {
      ...d.broker.serviceEnv('scram-sha-256'),
      KAFKA_SASL_PASSWORD: 'not-the-password',
    })
    const said = await refusedStart(wrong)
    expect(said).toContain(`touchpoint: Kafka at ${d.broker.address}: it refused the SASL credentials`)
    expect(said).toContain('KAFKA_SASL_PASSWORD')
    expect(said).not.toContain('not-the-password')
  })

  it('a collector that speaks no TLS to it starts, keeping what it takes, and its log says what may be wrong', async () => {
    // the broker may be going down as well as misconfigured: the collector keeps taking events into its spool
    const plain = new CollectorProcess(tempDir('tp-no-tls-'), await freePort(), {
      KAFKA_BROKERS: d.broker.address,
    })
    try {
      await plain.start()
      await eventually(
        async () => plain.output,
        (out) => out.includes('Kafka unreachable at start'),
      )
      expect(plain.output).toContain(
        'a port that asks for TLS does so to a client without it (KAFKA_SSL=true)',
      )
      expect(await trackOne(plain, 'Spooled')).toBe(200)
      expect(await metricValue(plain.url, 'touchpoint_kafka_degraded')).toBe(1)
    } finally {
      await plain.stop('SIGKILL')
    }
  })

  it('a collector that asks for more replicas than the cluster can hold does not start, and names the setting', async () => {
    // one broker here; a managed cluster refuses fewer than 3 (POLICY_VIOLATION), told the same way
    const collector = new CollectorProcess(tempDir('tp-replicas-'), await freePort(), {
      ...d.broker.serviceEnv(),
      KAFKA_TOPIC: 'touchpoint.replicated',
      KAFKA_REPLICATION: '3',
    })
    const said = await refusedStart(collector)
    expect(said).toContain('it would not create the topic so (INVALID_REPLICATION_FACTOR')
    expect(said).toContain("set KAFKA_REPLICATION to what it asks (unset, the brokers' default)")
  })

  it("with KAFKA_SSL=true alone, trusts the system's CAs (Confluent Cloud's certificates are signed by one)", async () => {
    // a CA the system trusts, for this test: Node's NODE_EXTRA_CA_CERTS adds it to the ones it ships
    const { KAFKA_SSL_CA: ca, ...withoutCa } = d.broker.serviceEnv('plain')
    const collector = new CollectorProcess(tempDir('tp-system-ca-'), await freePort(), {
      ...withoutCa,
      KAFKA_SSL: 'true',
      NODE_EXTRA_CA_CERTS: ca!,
    })
    try {
      await collector.start()
      expect(collector.output).toContain('(TLS, SASL plain as touchpoint;')
      expect(await trackOne(collector, 'System CA')).toBe(200)
      expect(await metricValue(collector.url, 'touchpoint_kafka_produced_total')).toBe(1)
    } finally {
      await collector.stop('SIGKILL')
    }
  })

  it("an ingester that does not know the broker's CA does not start, and says so", async () => {
    const { KAFKA_SSL_CA: _ca, ...withoutCa } = d.broker.serviceEnv()
    const ingester = new ServiceProcess('ingest', tempDir('tp-no-ca-'), await freePort(), {
      ...withoutCa,
      KAFKA_SSL: 'true',
    })
    const said = await refusedStart(ingester)
    expect(said).toContain('its TLS certificate could not be verified (UNABLE_TO_VERIFY_LEAF_SIGNATURE)')
    expect(said).toContain('KAFKA_SSL_CA')
  })
})

describe('a client certificate (mutual TLS), as Aiven asks', () => {
  let d: Deployment
  beforeAll(async () => {
    d = await deploy('ssl')
  })
  afterAll(() => stop(d))

  it('carries events from the collector through the broker into ClickHouse, each once', async () => {
    expect(d.collector.output).toContain('(TLS with a client certificate; topic touchpoint.events)')
    await carries(d, 25)
  })

  it('a collector without a client certificate does not start, and names the settings', async () => {
    const { KAFKA_SSL_CERT: _cert, KAFKA_SSL_KEY: _key, ...withoutCert } = d.broker.serviceEnv()
    const said = await refusedStart(
      new CollectorProcess(tempDir('tp-no-cert-'), await freePort(), withoutCert),
    )
    expect(said).toContain('it wants a client certificate, or did not take this one')
    expect(said).toContain('KAFKA_SSL_CERT and KAFKA_SSL_KEY')
  })
})

describe('a broker that gives an address of its own the services cannot reach (advertised.listeners)', () => {
  let broker: Broker
  beforeAll(async () => {
    // as a broker in Docker or Kubernetes that names itself by a name only its own network knows
    broker = await Broker.create('plaintext', { props: ['advertised.listeners=CLIENT://127.0.0.1:1'] })
    await broker.start()
  })
  afterAll(() => broker?.stop())

  it('a collector starts, keeping what it takes, and its log and /readyz say to look at advertised.listeners', async () => {
    const collector = new CollectorProcess(tempDir('tp-advertised-'), await freePort(), {
      KAFKA_BROKERS: broker.address,
    })
    try {
      await collector.start()
      const hint = 'the brokers gave 127.0.0.1:1 as their address (their advertised.listeners)'
      await eventually(
        async () => collector.output,
        (out) => out.includes(hint),
      )
      expect(await trackOne(collector, 'Spooled')).toBe(200)
      const ready = await (await fetch(`${collector.url}/readyz`)).json()
      expect(ready).toMatchObject({ ready: true, status: 'degraded' })
      expect(ready.reason).toContain(hint)
    } finally {
      await collector.stop('SIGKILL')
    }
  })
})

describe('a broker that checks ACLs, each service with a user of its own (as MSK and Confluent Cloud can)', () => {
  let broker: Broker
  let d: Deployment | undefined
  const TOPIC = 'touchpoint.events'
  const GROUP = 'touchpoint-ingester'
  beforeAll(async () => {
    broker = await Broker.create('sasl_ssl', { acls: true })
    await broker.start()
  })
  afterAll(async () => {
    if (d) await stop(d)
    else await broker?.stop()
  })
  const collectorEnv = () => broker.serviceEnv('plain', 'collector')
  const ingesterEnv = () => broker.serviceEnv('plain', 'ingester')
  const allow = (
    user: string,
    resourceType: AclResourceTypes,
    name: string,
    operation: AclOperationTypes,
  ) => ({
    resourceType,
    resourceName: name,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: `User:${user}`,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  })

  it('a collector and an ingester that may not create the topics do not start, and say what to do', async () => {
    const refusal = 'its ACLs do not allow this client that on a topic (TOPIC_AUTHORIZATION_FAILED)'
    const collector = new CollectorProcess(tempDir('tp-acl-'), await freePort(), collectorEnv())
    expect(await refusedStart(collector)).toContain(refusal)
    const ingester = new ServiceProcess('ingest', tempDir('tp-acl-'), await freePort(), ingesterEnv())
    const said = await refusedStart(ingester)
    expect(said).toContain(refusal)
    expect(said).toContain('create the topics beforehand, or grant the ACLs the README lists')
  })

  it("with the topics created and the README's ACLs granted, carries events and tells when they are stored", async () => {
    const admin = createKafka(broker.connection('test-acl-admin', 'admin')).admin()
    await admin.connect()
    await ensureTopics(admin, [
      { topic: TOPIC, partitions: 3, replication: 1 },
      { topic: `${TOPIC}.dlq`, partitions: 1, replication: 1 },
    ])
    // the README's lists, and nothing more
    await admin.createAcls({
      acl: [
        allow('collector', AclResourceTypes.TOPIC, TOPIC, AclOperationTypes.WRITE),
        allow('collector', AclResourceTypes.GROUP, GROUP, AclOperationTypes.DESCRIBE),
        allow('ingester', AclResourceTypes.TOPIC, TOPIC, AclOperationTypes.READ),
        allow('ingester', AclResourceTypes.TOPIC, `${TOPIC}.dlq`, AclOperationTypes.WRITE),
        allow('ingester', AclResourceTypes.GROUP, GROUP, AclOperationTypes.READ),
      ],
    })
    await admin.disconnect()
    d = await startServices(broker, collectorEnv(), ingesterEnv())
    await carries(d, 25)
    // a person's erasure or export waits for the ingesters' group to have stored what the topic holds: the
    // collector's user may ask how far the group has come
    const sink = await KafkaSink.start(
      {
        ...broker.connection('acl-stored-test', 'collector'),
        topic: TOPIC,
        partitions: 3,
        replication: 1,
        ingesterGroup: GROUP,
        lingerMs: 5,
        maxBatchRecords: 100,
        compression: 'none',
        ackTimeoutMs: 5000,
        spoolDir: tempDir('tp-acl-stored-'),
        spoolMaxBytes: 1e8,
      },
      new Metrics(),
      createLogger('silent'),
    )
    try {
      expect(sink.status()).toBe('ok')
      expect(await sink.stored(20_000)).toBe(true)
    } finally {
      await sink.close()
    }
  })

  /**
   * Revokes `acl` from the running services, then sends events: they are acknowledged, and the /readyz of
   * `service` says `degraded` with a reason `reason` matches; once the ACL is granted again, every event is stored
   * once and it says `ok`.
   */
  async function whileRevoked(
    acl: ReturnType<typeof allow>,
    service: 'collector' | 'ingester',
    reason: RegExp,
  ): Promise<void> {
    if (!d) throw new Error('the test before did not start the services')
    const deployment = d
    const admin = createKafka(broker.connection(`test-acl-revoke-${service}`, 'admin')).admin()
    await admin.connect()
    const readyz = async () => (await fetch(`${deployment[service].url}/readyz`)).json()
    // the ingester pings its ClickHouse; this collector has none (no CLICKHOUSE_URL)
    const ok = { ready: true, status: 'ok', ...(service === 'ingester' && { storage: 'reachable' }) }
    try {
      expect(await readyz()).toEqual(ok)
      await admin.deleteAcls({ filters: [acl] })
      const run = await sendRun(deployment, 10)
      const degraded = await eventually(readyz, (r) => r.status === 'degraded', 60_000)
      expect(degraded).toMatchObject({ ready: true, status: 'degraded' })
      expect(degraded.reason).toMatch(reason)
      await admin.createAcls({ acl: [acl] })
      await storedOnce(deployment, run, 10)
      expect(await eventually(readyz, (r) => r.status === 'ok', 60_000)).toEqual(ok)
    } finally {
      await admin.createAcls({ acl: [acl] }).catch(() => {})
      await admin.disconnect()
    }
  }

  it("says it is degraded, and why, while the collector's WRITE is revoked mid-run; replays it all once it is back", async () => {
    // the calls are still acknowledged, into the spool; /readyz says why they do not reach Kafka
    await whileRevoked(
      allow('collector', AclResourceTypes.TOPIC, TOPIC, AclOperationTypes.WRITE),
      'collector',
      /(produce|replay into Kafka) failed: its ACLs do not allow .*TOPIC_AUTHORIZATION_FAILED/,
    )
  }, 180_000)

  it("says it is degraded, and why, while the ingester's READ is revoked mid-run; loads all once it is back", async () => {
    // what arrives meanwhile waits in the topic: the consumer crashes on each fetch (or, on Kafka 4.x, its
    // replacement is refused as it joins), and says so
    await whileRevoked(
      allow('ingester', AclResourceTypes.TOPIC, TOPIC, AclOperationTypes.READ),
      'ingester',
      /the Kafka consumer was replaced: (crashed|restart failed): .*[Aa]uthoriz/,
    )
  }, 180_000)
})
