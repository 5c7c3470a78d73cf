import { TABLES } from '../tables'
import type { Migration } from './ddl'

/** Every refused call, with the stable error code, the reasons (JSON list of {path, message}) and the raw payload. */
export const rejectedTable: Migration = {
  version: 2,
  name: 'events_rejected',
  up: ({ onCluster, engine }) => [
    `CREATE TABLE IF NOT EXISTS ${TABLES.rejected}${onCluster} (
      rejected_id UUID,
      project_id LowCardinality(String),
      received_at DateTime64(3, 'UTC'),
      source LowCardinality(String),
      route LowCardinality(String),
      error_code LowCardinality(String),
      reason String CODEC(ZSTD(1)),
      raw String CODEC(ZSTD(3)),
      ip String,
      user_agent String CODEC(ZSTD(1))
    )
    ENGINE = ${engine('ReplacingMergeTree', TABLES.rejected)}
    PARTITION BY toYYYYMM(received_at)
    ORDER BY (project_id, toDate(received_at), error_code, rejected_id)
    SETTINGS non_replicated_deduplication_window = 1000`,
  ],
}
