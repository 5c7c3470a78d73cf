import { resolve } from 'node:path'
import { clickhouseEnv, clickhouseOptions } from '@touchpoint/clickhouse'
import { loadConfig } from '@touchpoint/collector'
import { brokerList, checkSecurity, securityEnv, securityOf, topicEnv, topicSpec } from '@touchpoint/kafka'
import { dedupeEnv, dedupeOptions } from '@touchpoint/loader'
import { z } from 'zod'

/** The ingester's one configuration module, validated at start-up. */
const envSchema = z
  .object({
    KAFKA_BROKERS: brokerList,
    KAFKA_CLIENT_ID: z.string().default('touchpoint-ingester'),
    ...securityEnv,
    ...topicEnv,
    KAFKA_DLQ_TOPIC: z.string().default('touchpoint.events.dlq'),
    /** A fetch waits up to this long for INGEST_MIN_BYTES, so batches grow by size and time. */
    INGEST_MAX_WAIT_MS: z.coerce.number().int().min(0).default(500),
    INGEST_MIN_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(256 * 1024),
    INGEST_MAX_BYTES_PER_PARTITION: z.coerce
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /** How long the group waits for a silent member (a crashed ingester) before giving its partitions to others. */
    INGEST_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
    /**
     * With messages waiting and no batch started or finished for this long (three times as long while a batch is
     * being loaded, which may be retrying against a ClickHouse that is down), the consumer is restarted (a consumer
     * can be left stuck by a broker restart under load; the restart rejoins the group from the committed offsets).
     */
    INGEST_STALL_MS: z.coerce.number().int().min(5000).default(60_000),
    /**
     * How long SIGTERM waits to finish the batch in hand, commit it and leave the group before the ingester stops
     * without them (the broker unreachable: kafkajs would retry for minutes). What was not committed is read again.
     */
    INGEST_STOP_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
    ...dedupeEnv,
    PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    HOST: z.string().default('0.0.0.0'),
    TOUCHPOINT_DATA_DIR: z.string().default('./.touchpoint'),
    /**
     * The collector's projects file: with it, the ingester answers the admin API over what it loaded (SQL, the
     * analytics, profiles) with the collector's admin key, as the collector does over its own ClickHouse.
     */
    TOUCHPOINT_CONFIG: z.string().min(1).optional(),
    ...clickhouseEnv,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine(checkSecurity)

export type IngesterConfig = ReturnType<typeof loadIngesterConfig>

export function loadIngesterConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `environment variable ${i.path.join('.')}: ${i.message}`)
    throw new Error(lines.join('\n'))
  }
  const e = parsed.data
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      ...securityOf(e),
      ...topicSpec(e),
      dlqTopic: e.KAFKA_DLQ_TOPIC,
      groupId: e.KAFKA_GROUP_ID,
      maxWaitMs: e.INGEST_MAX_WAIT_MS,
      minBytes: e.INGEST_MIN_BYTES,
      maxBytesPerPartition: e.INGEST_MAX_BYTES_PER_PARTITION,
      sessionTimeoutMs: e.INGEST_SESSION_TIMEOUT_MS,
      stallMs: e.INGEST_STALL_MS,
      stopTimeoutMs: e.INGEST_STOP_TIMEOUT_MS,
    },
    dedupe: dedupeOptions(e),
    http: { port: e.PORT, host: e.HOST },
    clickhouse: { ...clickhouseOptions(e), dataDir: resolve(e.TOUCHPOINT_DATA_DIR, 'clickhouse') },
    logLevel: e.LOG_LEVEL,
    /** the admin API's configuration (keys, limits), read as the collector reads it; absent without TOUCHPOINT_CONFIG */
    queryApi: e.TOUCHPOINT_CONFIG ? loadConfig(env) : undefined,
  }
}
