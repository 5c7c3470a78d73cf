import { join } from 'node:path'
import { createClickHouse, migrate } from '@touchpoint/clickhouse'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from './app'
import type { CollectorConfig } from './config'
import { Metrics } from './metrics'
import { EmbeddedPipeline } from './pipeline/embedded'

export interface RunningCollector {
  app: FastifyInstance
  /** the address it listens on, e.g. http://127.0.0.1:8080 */
  url: string
  close(): Promise<void>
}

/** Headers and fields never written to the log. */
export const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'writeKey',
  'secretKey',
  'adminKey',
]

/** Starts the collector: storage, migrations, the pipeline, the HTTP server. close() drains and stops all. */
export async function startCollector(config: CollectorConfig): Promise<RunningCollector> {
  const logger = pino({ level: config.logLevel, redact: { paths: REDACTED, censor: '[redacted]' } })
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  await migrate(ch)
  const metrics = new Metrics()
  const sink = await EmbeddedPipeline.start(ch, metrics, logger, {
    spoolDir: join(config.dataDir, 'spool'),
    maxBytes: config.spool.maxBytes,
    batchRows: config.loader.batchRows,
    flushMs: config.loader.flushMs,
  })
  const app = buildApp(config, { ch, sink, metrics, logger })
  const url = await app.listen({ port: config.port, host: config.host })
  let closing: Promise<void> | undefined
  return {
    app,
    url,
    close() {
      closing ??= (async () => {
        await app.close()
        await sink.close()
        await ch.close()
      })()
      return closing
    },
  }
}
