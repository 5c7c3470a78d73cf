import { TABLES } from '../tables'
import type { Migration } from './ddl'

/**
 * One row per accepted event. ReplacingMergeTree on a sort key that ends in event_id is the backstop of
 * the loader's dedupe window: a retried event that slipped past it collapses on merge. Sorted for
 * per-project, per-day, per-event scans (funnels and reports filter on all three); event_id, user_id and
 * anonymous_id have bloom-filter skip indexes for point look-ups (profiles, erasure).
 */
export const eventsTable: Migration = {
  version: 1,
  name: 'events',
  up: ({ onCluster, engine }) => [
    `CREATE TABLE IF NOT EXISTS ${TABLES.events}${onCluster} (
      event_id UUID,
      message_id String,
      project_id LowCardinality(String),
      type LowCardinality(String),
      event LowCardinality(String),
      source LowCardinality(String),
      anonymous_id String,
      user_id String,
      session_id String,
      group_id String,
      previous_id String,
      timestamp DateTime64(3, 'UTC'),
      received_at DateTime64(3, 'UTC'),
      sent_at Nullable(DateTime64(3, 'UTC')),
      url String CODEC(ZSTD(1)),
      path String CODEC(ZSTD(1)),
      title String CODEC(ZSTD(1)),
      referrer String CODEC(ZSTD(1)),
      referrer_host LowCardinality(String),
      utm_source LowCardinality(String),
      utm_medium LowCardinality(String),
      utm_campaign LowCardinality(String),
      utm_term String,
      utm_content String,
      gclid String,
      fbclid String,
      msclkid String,
      channel LowCardinality(String),
      revenue Nullable(Decimal(18, 4)),
      currency LowCardinality(String),
      properties String CODEC(ZSTD(1)),
      traits String CODEC(ZSTD(1)),
      browser LowCardinality(String),
      browser_version LowCardinality(String),
      os LowCardinality(String),
      os_version LowCardinality(String),
      device_type LowCardinality(String),
      device_vendor LowCardinality(String),
      device_model LowCardinality(String),
      is_bot UInt8,
      ip String,
      user_agent String CODEC(ZSTD(1)),
      locale LowCardinality(String),
      timezone LowCardinality(String),
      screen_width UInt16,
      screen_height UInt16,
      library_name LowCardinality(String),
      library_version LowCardinality(String),
      INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 4,
      INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX idx_anonymous_id anonymous_id TYPE bloom_filter(0.01) GRANULARITY 4
    )
    ENGINE = ${engine('ReplacingMergeTree', TABLES.events)}
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (project_id, toDate(timestamp), event, event_id)
    SETTINGS non_replicated_deduplication_window = 1000`,
  ],
}
