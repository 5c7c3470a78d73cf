import { TABLES } from '../tables'
import type { Migration } from './ddl'

/** The id columns that get a stored 64-bit hash, named `<id>_hash`. */
const HASHED_IDS = ['anonymous_id', 'user_id', 'session_id'] as const

const addHashColumn = (id: string) =>
  `ADD COLUMN IF NOT EXISTS ${id}_hash UInt64 MATERIALIZED if(${id} = '', 0, cityHash64(${id}))`

/**
 * A stored cityHash64 of each id, 0 when the id is empty. Funnels and attribution group and join by person and
 * session, and never show them, so they read these instead of the strings: no string column to deserialise and
 * no hash to compute per row at query time. On the 10M bench events, alternating with the code before on one
 * data directory, attribution read 3.4 and 4.0 s against 4.7 and 4.3 s, and the 4-step funnel 1.34 and 1.42 s
 * against 1.55 and 1.66 s (docs/performance.md). The cost is 8 bytes a row for each on disk (random hashes do
 * not compress); inserts cost no more, as far as the noise lets bench/insert-path.ts tell. MATERIALIZED, so
 * inserts need not send them and `SELECT *` leaves them out; ClickHouse computes them on insert. Parts written
 * before this migration compute them on read until the MATERIALIZE mutation has rewritten them in the
 * background, so answers are right throughout.
 */
export const eventIdHashes: Migration = {
  version: 4,
  name: 'events-id-hashes',
  up: ({ onCluster }) => [
    `ALTER TABLE ${TABLES.events}${onCluster}
      ${HASHED_IDS.map(addHashColumn).join(',\n      ')}`,
    ...HASHED_IDS.map((id) => `ALTER TABLE ${TABLES.events}${onCluster} MATERIALIZE COLUMN ${id}_hash`),
  ],
}
