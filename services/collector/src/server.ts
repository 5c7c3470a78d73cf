import { join } from 'node:path'
import { type ClickHouse, createClickHouse, migrate } from '@touchpoint/clickhouse'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { buildApp } from './app'
import type { CollectorConfig } from './config'
import { watchCountries } from './country-reload'
import { watchKeys } from './key-reload'
import { createLogger } from './logger'
import { Metrics } from './metrics'
import { EmbeddedPipeline } from './pipeline/embedded'
import { KafkaSink } from './pipeline/kafka'
import type { Sink } from './pipeline/sink'
import { ProjectRegistry } from './projects'
import { announceAddress } from './util/address-file'
import { listenOn } from './util/listen'

export interface RunningCollector {
  app: FastifyInstance
  /** the address it listens on, e.g. http://127.0.0.1:8080 */
  url: string
  close(): Promise<void>
}

/** Where either pipeline keeps what it has acknowledged and not yet handed on. */
const spoolDirOf = (config: CollectorConfig) => join(config.dataDir, 'spool')

/** Embedded storage: chDB on the data directory, migrated, and the spool and loader that feed it. */
export async function startEmbeddedStorage(
  config: CollectorConfig,
  metrics: Metrics,
  logger: FastifyBaseLogger,
): Promise<{ ch: ClickHouse; sink: EmbeddedPipeline }> {
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  await migrate(ch)
  const sink = await EmbeddedPipeline.start(ch, metrics, logger, {
    spoolDir: spoolDirOf(config),
    maxBytes: config.spool.maxBytes,
    batchRows: config.loader.batchRows,
    flushMs: config.loader.flushMs,
    dedupe: config.loader.dedupe,
  })
  return { ch, sink }
}

/**
 * Starts the collector: storage, migrations, the pipeline, the HTTP server. close() drains and stops all.
 * Embedded: spool → loader → ClickHouse in this process. Kafka (KAFKA_BROKERS): produce to the topic; the
 * ingester loads ClickHouse, and this process opens ClickHouse only when CLICKHOUSE_URL is set (for /api/sql).
 */
export async function startCollector(config: CollectorConfig): Promise<RunningCollector> {
  const logger = createLogger(config.logLevel)
  const metrics = new Metrics()
  let ch: ClickHouse | undefined
  let sink: Sink
  if (config.kafka) {
    if (config.clickhouse.url) ch = await createClickHouse(config.clickhouse)
    sink = await KafkaSink.start(
      { ...config.kafka, spoolDir: spoolDirOf(config), spoolMaxBytes: config.spool.maxBytes },
      metrics,
      logger,
    )
  } else {
    const embedded = await startEmbeddedStorage(config, metrics, logger)
    ch = embedded.ch
    sink = embedded.sink
  }
  const registry = new ProjectRegistry(config.keys)
  const app = buildApp(config, { ch, sink, metrics, logger, registry })
  const url = await listenOn(app, config.port, config.host).catch(async (err: Error) => {
    // the spool and chDB were opened: closed, so that nothing is left running, or holding the data directory
    await sink.close()
    await ch?.close()
    throw err
  })
  const withdrawAddress = announceAddress(config.dataDir, url)
  const unwatchKeys = watchKeys(config, registry, logger)
  const unwatchCountries = config.countries && watchCountries(config.countries, logger)
  let closing: Promise<void> | undefined
  return {
    app,
    url,
    close() {
      closing ??= (async () => {
        withdrawAddress()
        unwatchKeys()
        unwatchCountries?.()
        await app.close()
        await sink.close()
        await ch?.close()
      })()
      return closing
    },
  }
}
