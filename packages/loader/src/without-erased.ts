import { type ClickHouse, recordErasure } from '@touchpoint/clickhouse'
import type { ErasureLedger, RowKind } from './erasure-ledger'

/** A batch's rows as the loader inserts them. */
export interface BatchRows {
  events: string[]
  /** the rows built from event inputs (BuildRows), JSONEachRow lines encoded as UTF-8 */
  built: Uint8Array | undefined
  /** how many rows `built` holds */
  builtRows: number
  identities: string[]
  rejected: string[]
}

/**
 * A batch's rows without those of people erased after they were received (ErasureLedger), and how many were left
 * out. `readBuilt`: an event input was received before its project's last erasure, so the built rows are read too.
 *
 * Rows received after every erasure of their project are kept as they are, and the rest looked at twice: first
 * for the devices they tie to an erased user id that the erasure did not know (ErasureLedger.linkedDevice), which
 * are recorded as erased with it, so that the device's anonymous rows, before or after the identify in the batch
 * and in later ones, are left out too; then row by row.
 */
export async function withoutErased(
  ch: ClickHouse,
  ledger: ErasureLedger,
  rows: BatchRows,
  readBuilt: boolean,
): Promise<{ rows: BatchRows; erased: number }> {
  const builtLines = readBuilt && rows.built ? new TextDecoder().decode(rows.built).split('\n') : []
  const lists: Array<[string[], RowKind]> = [
    [rows.events, 'event'],
    [builtLines, 'event'],
    [rows.identities, 'link'],
    [rows.rejected, 'refused'],
  ]
  const old = lists.map(([list, kind]) => list.filter((row) => ledger.isOld(row, kind)))
  if (old.every((o) => o.length === 0)) return { rows, erased: 0 }

  const devices = new Map<string, { project: string; erasedAtMs: number; ids: Set<string> }>()
  for (const [i, kind] of [
    [0, 'event'],
    [1, 'event'],
    [2, 'link'],
  ] as const)
    for (const row of old[i]!) {
      const device = ledger.linkedDevice(row, kind)
      if (!device) continue
      const key = `${device.project}\n${device.erasedAtMs}`
      const group = devices.get(key) ?? {
        project: device.project,
        erasedAtMs: device.erasedAtMs,
        ids: new Set<string>(),
      }
      group.ids.add(device.id)
      devices.set(key, group)
    }
  // into the ledger (this one is told at once: onErasure) before the rows they leave out are left out
  for (const { project, erasedAtMs, ids } of devices.values())
    await recordErasure(ch, project, [...ids], erasedAtMs)

  let erased = 0
  // only the old rows can be left out: they are looked up once, and the rest kept without asking again
  const keep = ([list, kind]: [string[], RowKind], i: number) => {
    const dropped = new Set(old[i]!.filter((row) => ledger.drops(row, kind)))
    if (dropped.size === 0) return list
    const kept = list.filter((row) => !dropped.has(row))
    erased += list.length - kept.length
    return kept
  }
  const [events, built, identities, rejected] = lists.map(keep) as [string[], string[], string[], string[]]
  const kept: BatchRows = {
    events,
    built: !readBuilt ? rows.built : built.length ? new TextEncoder().encode(built.join('\n')) : undefined,
    builtRows: !readBuilt ? rows.builtRows : built.length,
    identities,
    rejected,
  }
  return { rows: kept, erased }
}
