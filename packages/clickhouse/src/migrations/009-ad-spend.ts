import { TABLES } from '../tables'
import type { Migration } from './ddl'

/**
 * What advertising cost, by day and campaign: one row per project, day, source, medium and campaign (the UTM tags
 * the ads' links carry, so the rows meet the visits they paid for), with its channel (classified as a visit's is),
 * cost, currency, clicks and impressions. A row sent again for the same day and campaign replaces the one before
 * (ReplacingMergeTree by `updated_at`; readers take FINAL), so a day re-sent with corrected figures counts once.
 */
export const adSpendTable: Migration = {
  version: 9,
  name: 'ad-spend',
  up: ({ onCluster, engine }) => [
    `CREATE TABLE IF NOT EXISTS ${TABLES.adSpend}${onCluster} (
      project_id LowCardinality(String),
      day Date,
      source String,
      medium String,
      campaign String,
      channel LowCardinality(String),
      cost Decimal(18, 4),
      currency LowCardinality(String),
      clicks UInt64,
      impressions UInt64,
      updated_at DateTime64(3, 'UTC')
    )
    ENGINE = ${engine('ReplacingMergeTree', TABLES.adSpend, 'updated_at')}
    PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, day, source, medium, campaign)`,
  ],
}
