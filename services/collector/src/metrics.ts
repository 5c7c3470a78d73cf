import { Counter, Histogram, LATENCY_BUCKETS, ServiceMetrics } from '@touchpoint/metrics'

/** The collector's metrics, served at /metrics. */
export class Metrics extends ServiceMetrics {
  readonly accepted = this.registry.add(
    new Counter('touchpoint_events_accepted_total', 'Events accepted and durably queued.'),
  )
  readonly rejected = this.registry.add(
    new Counter('touchpoint_events_rejected_total', 'Events refused, by error code.'),
  )
  readonly loaded = this.registry.add(
    new Counter('touchpoint_events_loaded_total', 'Events inserted into ClickHouse.'),
  )
  readonly duplicates = this.registry.add(
    new Counter('touchpoint_events_duplicates_total', 'Retried events dropped by the dedupe window.'),
  )
  readonly erased = this.registry.add(
    new Counter(
      'touchpoint_erased_records_skipped_total',
      'Spooled records not loaded because they name a person erased after they were received (the erasure ledger).',
    ),
  )
  readonly refused = this.registry.add(
    new Counter(
      'touchpoint_events_refused_by_storage_total',
      'Accepted records ClickHouse refused for what they hold, kept in events_rejected (TP_STORAGE_REFUSED).',
    ),
  )
  readonly loadErrors = this.registry.add(
    new Counter('touchpoint_load_errors_total', 'Failed inserts (each is retried).'),
  )
  readonly loadLatency = this.registry.add(
    new Histogram(
      'touchpoint_load_latency_seconds',
      'Time of one batch insert into ClickHouse.',
      LATENCY_BUCKETS,
    ),
  )
  readonly loadBatch = this.registry.add(
    new Histogram(
      'touchpoint_load_batch_records',
      'Records per batch inserted into ClickHouse (embedded mode).',
      [10, 100, 1000, 5000, 10_000, 20_000, 50_000],
    ),
  )
  readonly rateLimited = this.registry.add(
    new Counter('touchpoint_rate_limited_total', 'Requests refused with 429, by scope (ip or key).'),
  )
  readonly produced = this.registry.add(
    new Counter('touchpoint_kafka_produced_total', 'Records acknowledged by Kafka.'),
  )
  readonly produceErrors = this.registry.add(
    new Counter(
      'touchpoint_kafka_produce_errors_total',
      'Produce requests that failed (their records went to the spool).',
    ),
  )
  readonly producesSplit = this.registry.add(
    new Counter(
      'touchpoint_kafka_produces_split_total',
      "Produces the brokers refused for their size, sent again in halves (raise the topic's max.message.bytes, or compress).",
    ),
  )
}
