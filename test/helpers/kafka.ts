import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createKafka } from '@touchpoint/kafka'
import { ROOT, tempDir } from './collector'

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

/** A real Apache Kafka broker (KRaft) run by the project's scripts/kafka.sh, with data kept across restarts. */
export class Broker {
  readonly dir = tempDir('tp-kafka-')
  private constructor(readonly port: number) {}

  static async create(): Promise<Broker> {
    return new Broker(await brokerPort())
  }

  get address(): string {
    return `127.0.0.1:${this.port}`
  }

  private run(command: 'start' | 'stop' | 'kill'): Promise<string> {
    return new Promise((res, rej) => {
      execFile(
        'bash',
        [SCRIPT, command, this.dir],
        { env: { ...process.env, KAFKA_PORT: String(this.port) } },
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
    const admin = createKafka({ brokers: [this.address], clientId: 'test-group-reader' }).admin()
    await admin.connect()
    try {
      const { groups } = await admin.describeGroups([groupId])
      return groups[0]?.members.length ?? 0
    } finally {
      await admin.disconnect()
    }
  }
}
