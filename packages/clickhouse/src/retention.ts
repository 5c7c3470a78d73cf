import type { ClickHouse } from './client'
import { ddlContext } from './migrations/ddl'
import { sqlString } from './sql-string'
import { TABLES } from './tables'

/**
 * How long stored data is kept, in days, as a ClickHouse TTL on each table: rows past it are deleted as the
 * table's parts merge (within hours; `merge_with_ttl_timeout`). Undefined leaves a table's TTL as it is (one an
 * operator set by hand, or none); 0 removes it, so the table keeps everything.
 */
export interface Retention {
  /** events, by their time (an import of history older than this is deleted with the rest), and session_parts */
  eventsDays?: number | undefined
  /**
   * The same for the named projects, in place of eventsDays (0: keep all of theirs); the others take eventsDays,
   * and keep everything when it is unset or 0. A shop that must keep orders for years and a blog whose visits
   * should go after a quarter can share one ClickHouse.
   */
  eventsDaysByProject?: Readonly<Record<string, number>> | undefined
  /** events_rejected, by when the refusal was received: the raw bodies kept for debugging */
  rejectedDays?: number | undefined
}

/**
 * The TTL clause a table's age and its retention ask for, written as ClickHouse prints it in `engine_full`, so
 * that a restart with the same settings finds it in place: undefined leaves the table's TTL as it is, '' removes
 * it. With days per project, one rule: the days of the row's project (`multiIf`), and a WHERE that spares the
 * projects kept forever.
 */
export function ttlClause(
  age: string,
  days: number | undefined,
  byProject: Readonly<Record<string, number>> = {},
): string | undefined {
  const named = Object.entries(byProject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (named.length === 0)
    return days === undefined ? undefined : days === 0 ? '' : `${age} + toIntervalDay(${days})`
  const others = days ?? 0
  const aged = named.filter(([, d]) => d > 0)
  if (others === 0 && aged.length === 0) return ''
  const list = (ids: Array<[string, number]>) => ids.map(([id]) => sqlString(id)).join(', ')
  const interval = aged.length
    ? `multiIf(${aged.map(([id, d]) => `project_id = ${sqlString(id)}, ${d}`).join(', ')}, ${others})`
    : `${others}`
  const kept = named.filter(([, d]) => d === 0)
  const where =
    others === 0
      ? ` WHERE project_id IN (${list(aged)})`
      : kept.length
        ? ` WHERE project_id NOT IN (${list(kept)})`
        : ''
  return `${age} + toIntervalDay(${interval})${where}`
}

/** Each table a retention applies to, and its TTL clause. */
const TABLE_TTLS = [
  {
    table: TABLES.events,
    ttl: (r: Retention) => ttlClause('toDateTime(timestamp)', r.eventsDays, r.eventsDaysByProject),
  },
  {
    table: TABLES.sessionParts,
    ttl: (r: Retention) => ttlClause('day', r.eventsDays, r.eventsDaysByProject),
  },
  { table: TABLES.rejected, ttl: (r: Retention) => ttlClause('toDateTime(received_at)', r.rejectedDays) },
] as const

/** A table's TTL clause as `engine_full` shows it, '' for none. */
export function currentTtl(engineFull: string): string {
  return /\bTTL (.*?)(?: SETTINGS |$)/.exec(engineFull)?.[1] ?? ''
}

/**
 * The days of a table's TTL as ClickHouse shows it in `engine_full` (`TTL … + toIntervalDay(30)`): 0 for none,
 * NaN for a TTL of another form (one set by hand, or one with days per project).
 */
export function ttlDays(engineFull: string): number {
  const ttl = currentTtl(engineFull)
  if (!ttl) return 0
  const m = /^\S+ \+ toIntervalDay\((\d+)\)$/.exec(ttl)
  return m ? Number(m[1]) : Number.NaN
}

/**
 * Sets each table's TTL to the retention asked for, where it differs from the one it has: a restart with the
 * same settings changes nothing. A new TTL is applied to the parts already stored in the background (a
 * mutation), as `materialize_ttl_after_modify` does by default. Returns the tables it changed.
 */
export async function applyRetention(ch: ClickHouse, retention: Retention): Promise<string[]> {
  const wanted = TABLE_TTLS.flatMap((t) => {
    const ttl = t.ttl(retention)
    return ttl === undefined ? [] : [{ table: t.table, ttl }]
  })
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
    const table = current.get(t.table)
    if (!table || currentTtl(table.engine_full) === t.ttl) continue
    await ch.client.command({
      query:
        t.ttl === ''
          ? `ALTER TABLE ${t.table}${onCluster} REMOVE TTL`
          : `ALTER TABLE ${t.table}${onCluster} MODIFY TTL ${t.ttl}`,
    })
    changed.push(t.table)
  }
  return changed
}
