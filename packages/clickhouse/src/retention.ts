import type { ClickHouse } from './client'
import { ddlContext } from './migrations/ddl'
import { TABLES } from './tables'

/**
 * How long stored data is kept, in days, as a ClickHouse TTL on each table: rows past it are deleted as the
 * table's parts merge (within hours; `merge_with_ttl_timeout`). Undefined leaves a table's TTL as it is (one an
 * operator set by hand, or none); 0 removes it, so the table keeps everything.
 */
export interface Retention {
  /** events, by their time (an import of history older than this is deleted with the rest), and session_parts */
  eventsDays?: number | undefined
  /** events_rejected, by when the refusal was received: the raw bodies kept for debugging */
  rejectedDays?: number | undefined
}

/** Each table a retention applies to, and the expression its age is measured by. */
const TABLE_AGES = [
  { table: TABLES.events, age: 'toDateTime(timestamp)', days: (r: Retention) => r.eventsDays },
  { table: TABLES.sessionParts, age: 'day', days: (r: Retention) => r.eventsDays },
  { table: TABLES.rejected, age: 'toDateTime(received_at)', days: (r: Retention) => r.rejectedDays },
] as const

/**
 * The days of a table's TTL as ClickHouse shows it in `engine_full` (`TTL … + toIntervalDay(30)`): 0 for none,
 * NaN for a TTL of another form (one set by hand), which no retention in days equals.
 */
export function ttlDays(engineFull: string): number {
  if (!/\bTTL\b/.test(engineFull)) return 0
  const m = /\bTTL\b.*?\+ toIntervalDay\((\d+)\)/.exec(engineFull)
  return m ? Number(m[1]) : Number.NaN
}

/**
 * Sets each table's TTL to the retention asked for, where it differs from the one it has: a restart with the
 * same settings changes nothing. A new TTL is applied to the parts already stored in the background (a
 * mutation), as `materialize_ttl_after_modify` does by default. Returns the tables it changed.
 */
export async function applyRetention(ch: ClickHouse, retention: Retention): Promise<string[]> {
  const wanted = TABLE_AGES.filter((t) => t.days(retention) !== undefined)
  if (wanted.length === 0) return []
  const rs = await ch.client.query({
    query: `SELECT name, engine_full FROM system.tables
      WHERE database = currentDatabase() AND name IN ({names:Array(String)})`,
    query_params: { names: wanted.map((t) => t.table) },
    format: 'JSONEachRow',
  })
  const current = new Map((await rs.json<{ name: string; engine_full: string }>()).map((r) => [r.name, r]))
  const { onCluster } = ddlContext(ch.cluster)
  const changed: string[] = []
  for (const t of wanted) {
    const days = t.days(retention)!
    const table = current.get(t.table)
    if (!table || ttlDays(table.engine_full) === days) continue
    await ch.client.command({
      query:
        days === 0
          ? `ALTER TABLE ${t.table}${onCluster} REMOVE TTL`
          : `ALTER TABLE ${t.table}${onCluster} MODIFY TTL ${t.age} + INTERVAL ${days} DAY`,
    })
    changed.push(t.table)
  }
  return changed
}
