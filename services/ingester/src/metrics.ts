import type { LoadResult } from '@touchpoint/loader'
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, ServiceMetrics } from '@touchpoint/metrics'

/** The ingester's metrics, served at /metrics. */
export class IngesterMetrics extends ServiceMetrics {
  /** partition → messages behind the high watermark after the last committed batch */
  readonly lagByPartition = new Map<number, number>()
  readonly loaded = this.registry.add(
    new Counter('touchpoint_ingester_rows_loaded_total', 'Rows inserted into ClickHouse, by table.'),
  )
  readonly duplicates = this.registry.add(
    new Counter(
      'touchpoint_ingester_duplicates_total',
      'Records dropped by the dedupe window (retries, re-reads).',
    ),
  )
  readonly erased = this.registry.add(
    new Counter(
      'touchpoint_ingester_erased_skipped_total',
      'Records not loaded because they name a person erased after they were received (the erasure ledger).',
    ),
  )
  readonly deadLettered = this.registry.add(
    new Counter(
      'touchpoint_ingester_dead_lettered_total',
      'Messages sent to the dead-letter topic, by reason.',
    ),
  )
  readonly messagesExpired = this.registry.add(
    new Counter(
      'touchpoint_ingester_messages_expired_total',
      "Messages the topic's retention deleted before they were loaded: events lost.",
    ),
  )
  readonly insertErrors = this.registry.add(
    new Counter('touchpoint_ingester_insert_errors_total', 'Failed inserts (retried with backoff).'),
  )
  readonly insertLatency = this.registry.add(
    new Histogram(
      'touchpoint_ingester_insert_latency_seconds',
      'Time of one batch insert into ClickHouse.',
      LATENCY_BUCKETS,
    ),
  )
  readonly consumerRestarts = this.registry.add(
    new Counter(
      'touchpoint_ingester_consumer_restarts_total',
      'Kafka consumer restarts after a crash kafkajs would not retry, or a stall with messages waiting.',
    ),
  )
  readonly batchSize = this.registry.add(
    new Histogram(
      'touchpoint_ingester_batch_records',
      'Records per loaded batch.',
      [10, 100, 1000, 5000, 10_000, 50_000],
    ),
  )

  /** What one load of `records` records did (Loader.load). */
  countLoad(result: LoadResult, records: number): void {
    this.loaded.inc({ table: 'events' }, result.events)
    this.loaded.inc({ table: 'events_rejected' }, result.rejected)
    this.loaded.inc({ table: 'identities' }, result.identities)
    if (result.duplicates) this.duplicates.inc({}, result.duplicates)
    if (result.erased) this.erased.inc({}, result.erased)
    this.insertLatency.observe(result.insertMs / 1000)
    this.batchSize.observe(records)
  }

  constructor() {
    super()
    this.registry.add(
      new Gauge('touchpoint_ingester_consumer_lag', 'Messages not yet loaded, by partition.', () =>
        [...this.lagByPartition].map(([p, lag]) => [{ partition: String(p) }, lag]),
      ),
    )
    this.registry.add(
      new Gauge('touchpoint_ingester_consumer_lag_total', 'Messages not yet loaded, all partitions.', () =>
        [...this.lagByPartition.values()].reduce((a, b) => a + b, 0),
      ),
    )
  }
}
