import { createHash, randomUUID } from 'node:crypto'
import type { ClickHouse } from './client'
import { dateTime64Text } from './date-time-text'
import { insertJsonEachRow } from './insert'
import { TABLES } from './tables'

/** One id an erasure removed: its hash (erasureHash) in its project, and when it was erased. */
export interface ErasureEntry {
  project: string
  idHash: string
  erasedAtMs: number
}

/**
 * How the ledger keeps an id: SHA-256 of the project and the id, in hex. The id itself is what the erasure was
 * asked to remove, so only a hash stays, enough to recognise the id when a row that carries it arrives again.
 */
export const erasureHash = (project: string, id: string): string =>
  createHash('sha256').update(`${project}\n${id}`).digest('hex')

type Listener = (entries: ErasureEntry[]) => void
/** The loaders of this process that read the same ClickHouse, told of an erasure as it is recorded. */
const listeners = new WeakMap<ClickHouse, Set<Listener>>()

/** Calls `listener` with each erasure recorded through `ch` in this process; returns what stops it. */
export function onErasure(ch: ClickHouse, listener: Listener): () => void {
  const set = listeners.get(ch) ?? new Set<Listener>()
  listeners.set(ch, set)
  set.add(listener)
  return () => set.delete(listener)
}

/**
 * Adds the ids of one person's erasure to the ledger (TABLES.erasures), before their rows are deleted: a loader
 * of this process knows at once, others when they next read the ledger (ErasureLedger in @touchpoint/loader).
 */
export async function recordErasure(
  ch: ClickHouse,
  project: string,
  ids: readonly string[],
  erasedAtMs: number,
): Promise<ErasureEntry[]> {
  const entries = [...new Set(ids)].map((id) => ({ project, idHash: erasureHash(project, id), erasedAtMs }))
  const at = dateTime64Text(erasedAtMs)
  const lines = entries.map((e) => JSON.stringify({ project_id: project, id_hash: e.idHash, erased_at: at }))
  await insertJsonEachRow(ch, TABLES.erasures, lines.join('\n'), randomUUID())
  for (const listener of listeners.get(ch) ?? []) listener(entries)
  return entries
}

/** How many rows the ledger holds: rows are only added, so a count that moved means there is more to read. */
export async function erasureRows(ch: ClickHouse): Promise<number> {
  const rs = await ch.client.query({
    query: `SELECT count() AS n FROM ${TABLES.erasures}`,
    format: 'JSONEachRow',
  })
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0)
}

/** Every id of the ledger, with the time of its last erasure. */
export async function readErasures(ch: ClickHouse): Promise<ErasureEntry[]> {
  const rs = await ch.client.query({
    query: `SELECT project_id, id_hash, toUnixTimestamp64Milli(max(erased_at)) AS at
            FROM ${TABLES.erasures} GROUP BY project_id, id_hash`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ project_id: string; id_hash: string; at: string | number }>()
  return rows.map((r) => ({ project: r.project_id, idHash: r.id_hash, erasedAtMs: Number(r.at) }))
}
