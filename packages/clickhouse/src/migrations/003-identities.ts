import { TABLES } from '../tables'
import type { Migration } from './ddl'

/**
 * anonymous_id ↔ user_id links. One row per pair after merges; linked_at keeps the earliest time the pair was
 * seen (SimpleAggregateFunction(min)), because "the earliest link wins" when one anonymous id maps to several
 * users. Readers take the earliest row of each anonymous id, so unmerged parts give the same answer.
 */
export const identitiesTable: Migration = {
  version: 3,
  name: 'identities',
  up: ({ onCluster, engine }) => [
    `CREATE TABLE IF NOT EXISTS ${TABLES.identities}${onCluster} (
      project_id LowCardinality(String),
      anonymous_id String,
      user_id String,
      linked_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
      link_source SimpleAggregateFunction(any, String)
    )
    ENGINE = ${engine('AggregatingMergeTree', TABLES.identities)}
    ORDER BY (project_id, anonymous_id, user_id)
    SETTINGS non_replicated_deduplication_window = 1000`,
  ],
}
