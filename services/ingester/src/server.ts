import { answersPing, createClickHouse, migrate } from '@touchpoint/clickhouse'
import { buildQueryApp, listenOn } from '@touchpoint/collector'
import Fastify, { type FastifyInstance } from 'fastify'
import { pino } from 'pino'
import type { IngesterConfig } from './config'
import { readiness } from './health'
import { Ingester } from './ingester'
import { IngesterMetrics } from './metrics'

export interface RunningIngester {
  http: FastifyInstance
  url: string
  close(): Promise<void>
}

/**
 * Starts the ingester: ClickHouse and its migrations, /healthz, /readyz and /metrics, then the consumer group;
 * with the collector's projects file (TOUCHPOINT_CONFIG), the admin API over what it loads on the same port. The
 * port answers while the ingester waits for Kafka (its liveness holds, and /readyz says `starting`), and resolves
 * once it has joined the group; a refusal closes it and rejects.
 */
export async function startIngester(config: IngesterConfig): Promise<RunningIngester> {
  const log = pino({ level: config.logLevel })
  const ch = await createClickHouse(config.clickhouse)
  await migrate(ch)
  const metrics = new IngesterMetrics()
  const ingester = new Ingester(config, ch, metrics, log)
  let joined = false
  const http = config.queryApi
    ? buildQueryApp(config.queryApi, ch, log, (ms) => ingester.caughtUp(ms))
    : Fastify({ logger: false })
  http.get('/healthz', async () => ({ status: 'ok', pid: process.pid }))
  // as the collector's: 503 only while it cannot do its work at all (not joined yet); a consumer that keeps being
  // replaced, or a ClickHouse that does not answer, is `degraded`, with the reason, for whoever watches
  http.get('/readyz', async (_req, reply) =>
    joined
      ? reply.send(readiness(ingester.health.status(), await answersPing(ch)))
      : reply.code(503).send({ ready: false, status: 'starting' }),
  )
  http.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  )
  const url = await listenOn(http, config.http.port, config.http.host).catch(async (err: Error) => {
    await ch.close()
    throw err
  })
  await ingester.start().catch(async (err: Error) => {
    await http.close()
    await ingester.stop().catch(() => {})
    await ch.close()
    throw err
  })
  joined = true
  let closing: Promise<void> | undefined
  return {
    http,
    url,
    close() {
      closing ??= (async () => {
        await http.close()
        await ingester.stop()
        await ch.close()
      })()
      return closing
    },
  }
}
