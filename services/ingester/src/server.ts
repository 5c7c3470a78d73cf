import { createClickHouse, migrate } from '@touchpoint/clickhouse'
import { buildQueryApp, listenOn } from '@touchpoint/collector'
import Fastify, { type FastifyInstance } from 'fastify'
import { pino } from 'pino'
import type { IngesterConfig } from './config'
import { Ingester } from './ingester'
import { IngesterMetrics } from './metrics'

export interface RunningIngester {
  http: FastifyInstance
  url: string
  close(): Promise<void>
}

/**
 * Starts the ingester: ClickHouse and its migrations, the consumer group, and /healthz and /metrics; with the
 * collector's projects file (TOUCHPOINT_CONFIG), the admin API over what it loads on the same port.
 */
export async function startIngester(config: IngesterConfig): Promise<RunningIngester> {
  const log = pino({ level: config.logLevel })
  const ch = await createClickHouse(config.clickhouse)
  await migrate(ch)
  const metrics = new IngesterMetrics()
  const ingester = new Ingester(config, ch, metrics, log)
  await ingester.start().catch(async (err: Error) => {
    await ingester.stop().catch(() => {})
    await ch.close()
    throw err
  })
  const http = config.queryApi
    ? buildQueryApp(config.queryApi, ch, log, (ms) => ingester.caughtUp(ms))
    : Fastify({ logger: false })
  http.get('/healthz', async () => ({ status: 'ok', pid: process.pid }))
  http.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  )
  const url = await listenOn(http, config.http.port, config.http.host).catch(async (err: Error) => {
    await ingester.stop()
    await ch.close()
    throw err
  })
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
