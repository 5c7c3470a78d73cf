import type { ClickHouse } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import type { Metrics } from '../metrics'
import type { Sink } from '../pipeline/sink'

export interface HealthOptions {
  ch: ClickHouse | undefined
  sink: Sink
  metrics: Metrics
}

/** How long /readyz waits for ClickHouse to answer a ping. */
const PING_TIMEOUT_MS = 2000

/**
 * /healthz (the process answers), /readyz (storage reachable, the sink not degraded), /metrics (Prometheus).
 * A Kafka-mode collector without ClickHouse is ready when its sink is: it needs the broker, not storage.
 */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { ch, sink, metrics }) => {
  app.get('/healthz', async () => ({ status: 'ok', pid: process.pid }))

  app.get('/readyz', async (_req, reply) => {
    if (!ch) {
      const status = sink.status()
      return reply.code(status === 'ok' ? 200 : 503).send({ ready: status === 'ok', status })
    }
    const ping = await Promise.race([
      ch.client.ping().then((r) => r.success),
      new Promise<boolean>((r) => setTimeout(() => r(false), PING_TIMEOUT_MS).unref()),
    ]).catch(() => false)
    const status = !ping ? 'degraded' : sink.status()
    const ready = ping && status === 'ok'
    return reply.code(ready ? 200 : 503).send({ ready, status, storage: ping ? 'reachable' : 'unreachable' })
  })

  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  )
}
