import { TABLES } from '../tables'
import type { Migration } from './ddl'

/** The id columns that get a stored 64-bit hash, named `<id>_hash`. */
export const HASHED_IDS = ['anonymous_id', 'user_id', 'session_id'] as const

/**
 * A stored cityHash64 of each id, 0 when the id is empty. Funnels and attribution group and join by person
 * and session, and never show them, so they read these instead of the strings: no string column to
 * deserialise and no hash to compute per row at query time. On the 10M bench events, attribution read 3.6–4.3 s
 * against 4.9–5.5 s and the 4-step funnel 1.06–1.39 s against 1.44–1.62 s (docs/performance.md). The cost is
 * 8 bytes a row for each (random hashes do not compress). MATERIALIZED, so inserts need not send them and
 * `SELECT *` leaves them out; ClickHouse computes them on insert. Parts written before this migration compute
 * them on read until the MATERIALIZE mutation has rewritten them in the background, so answers are right
 * throughout.
 */
export const eventIdHashes: Migration = {
  version: 4,
  name: 'events-id-hashes',
  up: ({ onCluster }) => [
    `ALTER TABLE ${TABLES.events}${onCluster}
      ${HASHED_IDS.map((id) => `ADD COLUMN IF NOT EXISTS ${id}_hash UInt64 MATERIALIZED if(${id} = '', 0, cityHash64(${id}))`).join(',\n      ')}`,
    ...HASHED_IDS.map((id) => `ALTER TABLE ${TABLES.events}${onCluster} MATERIALIZE COLUMN ${id}_hash`),
  ],
}
