import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createKafka, type KafkaConnection } from '@touchpoint/kafka'
import type { Admin } from 'kafkajs'
import type { KafkaSinkOptions } from '../../services/collector/src/pipeline/kafka'
import { freePort, ROOT, tempDir } from './collector'

const SCRIPT = join(ROOT, 'scripts/kafka.sh')

async function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer()
    srv.once('error', () => res(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)))
  })
}

/** Two free consecutive ports: the broker's client port and its controller port. */
async function brokerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000) * 2
    if ((await portFree(port)) && (await portFree(port + 1))) return port
  }
  throw new Error('no free port pair for a Kafka broker')
}

/**
 * What the broker's client port asks for (scripts/kafka.sh, KAFKA_SECURITY): nothing, a client certificate
 * (mutual TLS), or a password by SASL over TLS.
 */
export type BrokerSecurity = 'plaintext' | 'ssl' | 'sasl_ssl'

/** The user scripts/kafka.sh makes for sasl_ssl, for PLAIN and both SCRAM mechanisms. */
export const SASL_USER = { username: 'touchpoint', password: 'touchpoint-secret' }

/** A real Apache Kafka broker (KRaft) run by the project's scripts/kafka.sh, with data kept across restarts. */
export class Broker {
  readonly dir = tempDir('tp-kafka-')
  private constructor(
    readonly port: number,
    readonly security: BrokerSecurity,
    /** sasl_ssl only: the broker checks ACLs, and SASL_USER may do only what it is granted (`admin` anything) */
    readonly acls: boolean,
    /** lines added to its server.properties (KAFKA_BROKER_PROPS) */
    readonly props: string,
    /** a node of a cluster (Broker.cluster): its id, every node's controller, the cluster's id */
    private readonly node?: { id: number; voters: string; clusterId: string },
    /** the release of Apache Kafka it runs (KAFKA_VERSION); scripts/kafka.sh's default, or the test run's */
    readonly version?: string,
  ) {}

  /**
   * `size` brokers of one KRaft cluster, each a controller too, that replicate every topic to all of them and
   * acknowledge a write once two have it (min.insync.replicas=2), as a production cluster does. Start them together
   * (startAll): a node is ready only once a majority of them runs.
   */
  static async cluster(size: number): Promise<Broker[]> {
    const ports: number[] = []
    while (ports.length < size) {
      const port = await brokerPort()
      if (!ports.some((p) => Math.abs(p - port) < 2)) ports.push(port)
    }
    const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p + 1}`).join(',')
    // as Kafka's own random-uuid: none starting with '-', which kafka-storage would read as an option
    let clusterId = '-'
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url')
    const props = [
      `default.replication.factor=${size}`,
      'min.insync.replicas=2',
      `offsets.topic.replication.factor=${size}`,
      `transaction.state.log.replication.factor=${size}`,
      'transaction.state.log.min.isr=2',
    ].join('\n')
    return ports.map(
      (port, i) => new Broker(port, 'plaintext', false, props, { id: i + 1, voters, clusterId }),
    )
  }

  static startAll(brokers: Broker[]): Promise<string[]> {
    return Promise.all(brokers.map((b) => b.start()))
  }

  static async create(
    security: BrokerSecurity = 'plaintext',
    { acls = false, props = [] as string[], version = undefined as string | undefined } = {},
  ): Promise<Broker> {
    return new Broker(await brokerPort(), security, acls, props.join('\n'), undefined, version)
  }

  get address(): string {
    return `127.0.0.1:${this.port}`
  }

  /** The files scripts/kafka.sh wrote for TLS: the CA, and a client certificate it signed. */
  tlsFile(name: 'ca.pem' | 'client.pem' | 'client.key'): string {
    return join(this.dir, 'tls', name)
  }

  /**
   * The variables that connect a Touchpoint service to this broker: TLS with its CA, and its client certificate
   * or a SASL mechanism (SCRAM-SHA-512, as Amazon MSK asks, unless another is given) with a user (`touchpoint`
   * unless another is given: PLAIN also takes `collector` and `ingester`).
   */
  serviceEnv(mechanism = 'scram-sha-512', username = SASL_USER.username): Record<string, string> {
    const env: Record<string, string> = { KAFKA_BROKERS: this.address }
    if (this.security === 'plaintext') return env
    env.KAFKA_SSL_CA = this.tlsFile('ca.pem')
    if (this.security === 'ssl') {
      env.KAFKA_SSL_CERT = this.tlsFile('client.pem')
      env.KAFKA_SSL_KEY = this.tlsFile('client.key')
    } else {
      env.KAFKA_SASL_MECHANISM = mechanism
      env.KAFKA_SASL_USERNAME = username
      env.KAFKA_SASL_PASSWORD = SASL_USER.password
    }
    return env
  }

  /** Runs `fn` with an admin client of the test's own (connection()), connected, and disconnects it after. */
  async withAdmin<T>(fn: (admin: Admin) => Promise<T>, clientId = 'test-admin'): Promise<T> {
    const admin = createKafka(this.connection(clientId)).admin()
    await admin.connect()
    try {
      return await fn(admin)
    } finally {
      await admin.disconnect()
    }
  }

  /** A kafkajs connection to this broker, as the test's own client (on sasl_ssl, as `user`). */
  connection(clientId: string, user = SASL_USER.username): KafkaConnection {
    if (this.security === 'plaintext') return { brokers: [this.address], clientId }
    const ca = readFileSync(this.tlsFile('ca.pem'), 'utf8')
    if (this.security === 'ssl')
      return {
        brokers: [this.address],
        clientId,
        ssl: {
          ca,
          cert: readFileSync(this.tlsFile('client.pem'), 'utf8'),
          key: readFileSync(this.tlsFile('client.key'), 'utf8'),
        },
      }
    const sasl = { mechanism: 'plain' as const, username: user, password: SASL_USER.password }
    return { brokers: [this.address], clientId, ssl: { ca }, sasl }
  }

  private run(command: 'start' | 'stop' | 'kill'): Promise<string> {
    return new Promise((res, rej) => {
      execFile(
        'bash',
        [SCRIPT, command, this.dir],
        {
          env: {
            ...process.env,
            KAFKA_PORT: String(this.port),
            KAFKA_SECURITY: this.security,
            KAFKA_ACLS: String(this.acls),
            KAFKA_BROKER_PROPS: this.props,
            KAFKA_SASL_PASSWORD: SASL_USER.password,
            ...(this.version && { KAFKA_VERSION: this.version }),
            ...(this.node && {
              KAFKA_NODE_ID: String(this.node.id),
              KAFKA_VOTERS: this.node.voters,
              KAFKA_CLUSTER_ID: this.node.clusterId,
            }),
          },
        },
        (err, stdout, stderr) =>
          err ? rej(new Error(`kafka.sh ${command} failed: ${stderr}${stdout}`)) : res(stdout),
      )
    })
  }

  start(): Promise<string> {
    return this.run('start')
  }

  stop(): Promise<string> {
    return this.run('stop')
  }

  /** kill -9, as a crash would. */
  kill(): Promise<string> {
    return this.run('kill')
  }

  /** How many members the consumer group has (the ingester's, by default), as the broker sees it. */
  async groupMembers(groupId = 'touchpoint-ingester'): Promise<number> {
    const admin = createKafka(this.connection('test-group-reader', 'admin')).admin()
    await admin.connect()
    try {
      const { groups } = await admin.describeGroups([groupId])
      return groups[0]?.members.length ?? 0
    } finally {
      await admin.disconnect()
    }
  }
}

/** A collector's Kafka sink options with no broker at its address (nothing listens on the port): it starts, and spools. */
export const sinkOptionsWithoutBroker = async (clientId: string): Promise<KafkaSinkOptions> => ({
  brokers: [`127.0.0.1:${await freePort()}`],
  clientId,
  topic: 'touchpoint.events',
  partitions: 1,
  replication: 1,
  ingesterGroup: 'touchpoint-ingester',
  lingerMs: 5,
  maxBatchRecords: 100,
  compression: 'none',
  ackTimeoutMs: 5000,
  spoolDir: tempDir('tp-no-broker-'),
  spoolMaxBytes: 1e8,
})
