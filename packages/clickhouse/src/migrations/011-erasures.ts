import { TABLES } from '../tables'
import type { Migration } from './ddl'

/**
 * The erasure ledger: one row for each id an erasure removed (a user id, or an anonymous id linked to it), kept as
 * a SHA-256 of the project and the id, never the id itself, with the time of the erasure. The loaders read it and
 * leave out what reaches them afterwards of a person erased after it was received: a re-read of Kafka, or a
 * spool loaded after a crash (erasures.ts). Plain MergeTree: rows are only added, so their count tells a loader
 * whether there is anything new to read.
 */
export const erasuresTable: Migration = {
  version: 11,
  name: 'erasures',
  up: ({ onCluster, engine }) => [
    `CREATE TABLE IF NOT EXISTS ${TABLES.erasures}${onCluster} (
      project_id LowCardinality(String),
      id_hash FixedString(64),
      erased_at DateTime64(3, 'UTC')
    )
    ENGINE = ${engine('MergeTree', TABLES.erasures)}
    ORDER BY (project_id, id_hash)`,
  ],
}
