import {
  type ClickHouse,
  dateTime64Text,
  type ErasureEntry,
  erasureHash,
  erasureRows,
  onErasure,
  readErasures,
} from '@touchpoint/clickhouse'
import { parseTimestamp } from '@touchpoint/schema'
import { jsonStrings, numberField, stringField } from './json-fields'

/** The rows the ledger reads: `events`, `identities` and `events_rejected` rows. */
export type RowKind = 'event' | 'link' | 'refused'
/**
 * The time a row is compared by: when it was received, but for an import's event or refused call (`source`
 * import), which is history: the time it names. A link's line carries `received_at` beside its columns, but for an
 * import's (and one written before links carried it): those are judged by when the link was made, the time their
 * call names.
 */
const timeOf = (row: string, kind: RowKind): string => {
  if (kind === 'link') return stringField(row, 'received_at') || stringField(row, 'linked_at')
  if (!imported(row)) return stringField(row, 'received_at')
  return kind === 'event' ? stringField(row, 'timestamp') : refusedCallTime(row)
}

/**
 * The time an import's refused call names (its raw payload's `timestamp`), or '' where it names none that can be
 * read (a payload cut at its limit, a time that was the reason for the refusal): such a row counts as long ago, and
 * is left out if it names an erased id. The import keeps its refusals in its own file anyway.
 */
const refusedCallTime = (row: string): string => {
  try {
    const call = JSON.parse(stringField(row, 'raw')) as { timestamp?: unknown; originalTimestamp?: unknown }
    const time = call?.timestamp ?? call?.originalTimestamp
    return typeof time === 'string' ? time : ''
  } catch {
    return ''
  }
}

/** Whether a row's `source` is `import`: its first `"source":` is the column's (see json-fields.ts). */
const imported = (row: string, from = 0): boolean => {
  const at = row.indexOf('"source":"', from)
  return at >= 0 && row.startsWith('import"', at + 10)
}

/** How often a loader looks for erasures that other processes recorded (its own process's it learns at once). */
export const DEFAULT_ERASURE_REFRESH_MS = 5_000

interface ProjectErasures {
  /** the last erasure in the project: a row received after it names nobody erased before it */
  latestMs: number
  /** the same as a row's DateTime64 text, which compares as the times do */
  latestText: string
  /** erasureHash of each erased id, and the time of its last erasure */
  ids: Map<string, number>
}

/**
 * The erasure ledger as a loader holds it (TABLES.erasures, filled by erasePerson): what a person's erasure
 * removed must not come back when the rows received before it reach a loader afterwards, from a spool loaded
 * after a crash or from a Kafka topic read again. A row is left out when it names an erased id (its user id or
 * anonymous id, or a refused call's string) and was received at or before that id's erasure; what the person sends
 * after it is theirs again, as a new visit after an erasure always was.
 *
 * A row received after its project's last erasure is kept after reading two of its fields, so a live load pays
 * about nothing; the ids are hashed only for rows older than that.
 */
export class ErasureLedger {
  private readonly projects = new Map<string, ProjectErasures>()
  /** the ledger's row count as this ledger knows it: at the last read, with this process's rows since; -1 before */
  private rowsRead = -1
  private nextCheck = 0
  /** how many times it has read the whole ledger */
  fullReads = 0

  constructor(
    private readonly ch: ClickHouse,
    private readonly refreshMs = DEFAULT_ERASURE_REFRESH_MS,
  ) {
    onErasure(ch, (entries) => {
      this.add(entries)
      // one row each (recordErasure): a count that moves by no more than these says nobody else wrote, and the
      // whole ledger is not read again for them
      if (this.rowsRead >= 0) this.rowsRead += entries.length
    })
  }

  /** how many erased ids it knows */
  get size(): number {
    let n = 0
    for (const p of this.projects.values()) n += p.ids.size
    return n
  }

  add(entries: readonly ErasureEntry[]): void {
    for (const { project, idHash, erasedAtMs } of entries) {
      const p = this.projects.get(project) ?? { latestMs: 0, latestText: '', ids: new Map<string, number>() }
      this.projects.set(project, p)
      p.ids.set(idHash, Math.max(erasedAtMs, p.ids.get(idHash) ?? 0))
      if (erasedAtMs > p.latestMs) {
        p.latestMs = erasedAtMs
        p.latestText = dateTime64Text(erasedAtMs)
      }
    }
  }

  /**
   * Reads the erasures other processes recorded, when `refreshMs` has passed since the last read (or `now`). A
   * failure throws: the load that asked fails and is retried, rather than go on with a ledger it could not read.
   */
  async refresh(now = false): Promise<void> {
    if (!now && Date.now() < this.nextCheck) return
    const rows = await erasureRows(this.ch)
    if (rows !== this.rowsRead) {
      this.add(await readErasures(this.ch))
      this.fullReads++
      this.rowsRead = rows
    }
    this.nextCheck = Date.now() + this.refreshMs
  }

  /**
   * Whether a row was received (an import's: happened) at or before its project's last erasure: only such a row can
   * be of a person erased since, and only such a row has its ids hashed and looked up. A row written as the collector
   * writes it (ClickHouse's DateTime64(3) text, UTC) is compared as text, without reading its time.
   */
  isOld(row: string, kind: RowKind): boolean {
    if (this.projects.size === 0) return false
    const p = this.projects.get(stringField(row, 'project_id'))
    if (!p) return false
    const text = timeOf(row, kind)
    if (ROW_TIME.test(text)) return text <= p.latestText
    return rowTime(text) <= p.latestMs
  }

  /**
   * Whether a row names an id erased at or after the row's time: an event by its user id or anonymous id, a link
   * by either, a refused call by any string of its raw payload.
   */
  drops(row: string, kind: RowKind): boolean {
    const project = stringField(row, 'project_id')
    const p = this.projects.get(project)
    if (!p) return false
    const at = rowTime(timeOf(row, kind))
    const ids =
      kind === 'refused'
        ? jsonStrings(stringField(row, 'raw'))
        : [stringField(row, 'user_id'), stringField(row, 'anonymous_id')]
    for (const id of ids) {
      const erasedAt = id ? p.ids.get(erasureHash(project, id)) : undefined
      if (erasedAt !== undefined && erasedAt >= at) return true
    }
    return false
  }

  /**
   * The device an event or a link made before a user id's erasure ties to it, when the ledger does not have it as
   * erased since: a device the erasure could not find linked, its identify still on its way (in a spool, in Kafka).
   * Its anonymous id, with the project and the time of the user id's erasure, to be recorded as erased with it.
   */
  linkedDevice(
    row: string,
    kind: 'event' | 'link',
  ): { project: string; id: string; erasedAtMs: number } | undefined {
    const project = stringField(row, 'project_id')
    const p = this.projects.get(project)
    const user = stringField(row, 'user_id')
    const id = stringField(row, 'anonymous_id')
    if (!p || !user || !id) return undefined
    const erasedAtMs = p.ids.get(erasureHash(project, user))
    if (erasedAtMs === undefined || erasedAtMs < rowTime(timeOf(row, kind))) return undefined
    const known = p.ids.get(erasureHash(project, id))
    return known !== undefined && known >= erasedAtMs ? undefined : { project, id, erasedAtMs }
  }

  /**
   * An event input (the embedded spool's RECORD_KIND.eventInput: `{"id","event","facts"}`) received at or before
   * its project's last erasure, or imported (its row is judged by the time it names), so that its built row must be
   * read. Its facts come last but for the country, and hold only strings, numbers and a list of hosts.
   */
  mayDropInput(payload: string): boolean {
    if (this.projects.size === 0) return false
    const facts = payload.lastIndexOf('"facts":')
    if (facts < 0) return false
    const p = this.projects.get(stringField(payload, 'projectId', facts))
    if (!p) return false
    const receivedAt = numberField(payload, 'receivedAt', facts)
    return !(receivedAt > p.latestMs) || imported(payload, facts)
  }
}

const ROW_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/

/**
 * A row's DateTime64 text (`2026-12-07 10:43:05.123`, UTC) in milliseconds. Text it cannot read counts as long ago,
 * so the row's ids are checked.
 */
function rowTime(text: string): number {
  const ms = parseTimestamp(text)
  return Number.isNaN(ms) ? 0 : ms
}
