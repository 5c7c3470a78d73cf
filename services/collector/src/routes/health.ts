import { answersPing, type ClickHouse } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import type { Metrics } from '../metrics'
import type { Sink } from '../pipeline/sink'

export interface HealthOptions {
  ch: ClickHouse | undefined
  sink: Sink
  metrics: Metrics
}

/**
 * /healthz (the process answers), /readyz (tracking calls are taken), /metrics (Prometheus).
 *
 * Ready means the collector acknowledges tracking calls: 200 while 'ok', and while 'degraded' too (Kafka or
 * ClickHouse away, calls kept in the spool); 503 only while 'down' (the spool cannot be written, or is full, and
 * calls are refused). A readiness that failed with storage would, when Kafka or ClickHouse is away for every
 * collector at once, take them all out of their load balancer, and the calls the spools are there to keep would
 * be refused before they reached one. The body says which, for monitoring, and with Kafka why (`reason`: its last
 * failure, a refused ACL say, while the records go to the spool).
 */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { ch, sink, metrics }) => {
  app.get('/healthz', async () => ({ status: 'ok', pid: process.pid }))

  app.get('/readyz', async (_req, reply) => {
    // ClickHouse first (up to PING_TIMEOUT_MS), then the sink's state and its reason, read together
    const reachable = ch && (await answersPing(ch))
    const sinkStatus = sink.status()
    const reason = sink.reason?.()
    const status = reachable === false && sinkStatus === 'ok' ? 'degraded' : sinkStatus
    const ready = status !== 'down'
    return reply.code(ready ? 200 : 503).send({
      ready,
      status,
      ...(ch && { storage: reachable ? 'reachable' : 'unreachable' }),
      ...(reason && { reason }),
    })
  })

  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  )
}
