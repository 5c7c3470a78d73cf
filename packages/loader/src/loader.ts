import { type ClickHouse, insertJsonEachRow, TABLES } from '@touchpoint/clickhouse'
import { DEFAULT_DEDUPE_MAX_IDS, DEFAULT_DEDUPE_WINDOW_MS, DedupeWindow } from './dedupe-window'
import { ErasureLedger } from './erasure-ledger'
import { type LoadRecord, RECORD_KIND } from './record'
import { type BatchRows, withoutErased } from './without-erased'

export interface LoadResult {
  events: number
  rejected: number
  identities: number
  /** events dropped because their id was already loaded (a retry) */
  duplicates: number
  /** records left out because they name a person erased after they were received (ErasureLedger) */
  erased: number
  /** wall time of the inserts, in milliseconds */
  insertMs: number
}

/**
 * Builds the `events` rows of event inputs (RECORD_KIND.eventInput, given their payloads in order) and returns
 * them as JSONEachRow lines, UTF-8 encoded: the embedded collector does it in a worker thread, so that neither
 * building the rows nor joining and encoding them for the insert takes the thread that answers requests.
 */
export type BuildRows = (payloads: string[]) => Promise<Uint8Array>

export interface LoaderOptions {
  dedupeWindowMs?: number
  dedupeMaxIds?: number
  /** how often to look for erasures recorded by other processes (DEFAULT_ERASURE_REFRESH_MS) */
  erasureRefreshMs?: number
}

/**
 * Batch → dedupe → insert, shared by the embedded pipeline (reading the spool) and the ingester (reading Kafka).
 *
 * `load(records, token)` must be given the same records and token again after a failure or a crash; the
 * token makes ClickHouse drop a repeat of an insert that had already landed, and the dedupe window drops
 * events retried by clients (same messageId) across batches.
 */
export class Loader {
  readonly window: DedupeWindow
  readonly erasures: ErasureLedger
  private readonly windowMs: number
  private readonly maxIds: number
  /** the load in progress, which the next one waits for */
  private tail: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly ch: ClickHouse,
    options: LoaderOptions = {},
  ) {
    this.windowMs = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS
    this.maxIds = options.dedupeMaxIds ?? DEFAULT_DEDUPE_MAX_IDS
    this.window = new DedupeWindow(this.windowMs, this.maxIds)
    this.erasures = new ErasureLedger(ch, options.erasureRefreshMs)
  }

  /**
   * Fills the dedupe window with the ids loaded during the window before a restart, so that a client's retry
   * of an event that landed just before a crash is still recognised. When more were loaded than the window
   * holds, the newest are the ones taken: a re-read after a crash starts just before it. Reads the erasure
   * ledger too, before anything is loaded.
   */
  async warmUp(): Promise<number> {
    await this.erasures.refresh(true)
    const windowSeconds = Math.ceil(this.windowMs / 1000)
    const rs = await this.ch.client.query({
      query: `SELECT id FROM (
                SELECT toString(event_id) AS id, received_at FROM ${TABLES.events}
                WHERE received_at >= now64(3) - toIntervalSecond({seconds:UInt32})
                UNION ALL
                SELECT toString(rejected_id) AS id, received_at FROM ${TABLES.rejected}
                WHERE received_at >= now64(3) - toIntervalSecond({seconds:UInt32})
              ) ORDER BY received_at DESC LIMIT {limit:UInt32}`,
      query_params: { seconds: windowSeconds, limit: this.maxIds },
      format: 'JSONEachRow',
    })
    const rows = await rs.json<{ id: string }>()
    // oldest first, so that the window drops the oldest when it moves on
    for (let i = rows.length - 1; i >= 0; i--) this.window.add(rows[i]!.id)
    return rows.length
  }

  /**
   * Loads `records`. Event inputs need `build`: they are deduplicated by their event id as event rows are, and
   * only those kept are built. One load at a time: the window is looked up before an insert and filled after
   * it, so two loads at once (a replaced Kafka consumer's last batch and its replacement's first) could both
   * let the same id through.
   */
  load(records: readonly LoadRecord[], token: string, build?: BuildRows): Promise<LoadResult> {
    const run = this.tail.then(() => this.loadNow(records, token, build))
    this.tail = run.catch(() => {})
    return run
  }

  private async loadNow(
    records: readonly LoadRecord[],
    token: string,
    build?: BuildRows,
  ): Promise<LoadResult> {
    const events: string[] = []
    const inputs: string[] = []
    const rejected: string[] = []
    const identities: string[] = []
    const batchIds = new Set<string>()
    let duplicates = 0
    await this.erasures.refresh()
    const erasures = this.erasures.size > 0
    /** whether an event input was received before its project's last erasure: its built row is read */
    let readBuilt = false
    for (const record of records) {
      if (erasures && record.kind === RECORD_KIND.eventInput)
        readBuilt ||= this.erasures.mayDropInput(record.payload)
      if (record.kind === RECORD_KIND.event || (record.kind === RECORD_KIND.eventInput && build)) {
        if (this.window.has(record.id) || batchIds.has(record.id)) {
          duplicates++
          continue
        }
        batchIds.add(record.id)
        if (record.kind === RECORD_KIND.event) events.push(record.payload)
        else inputs.push(record.payload)
      } else if (record.kind === RECORD_KIND.rejected) {
        if (record.id && (this.window.has(record.id) || batchIds.has(record.id))) continue
        if (record.id) batchIds.add(record.id)
        rejected.push(record.payload)
      } else if (record.kind === RECORD_KIND.identity) {
        identities.push(record.payload)
      } else {
        throw new Error(`record kind ${record.kind} is loaded only with a row builder`)
      }
    }
    const built = inputs.length && build ? await build(inputs) : undefined
    let rows: BatchRows = { events, built, builtRows: built ? inputs.length : 0, identities, rejected }
    let erased = 0
    if (erasures) ({ rows, erased } = await withoutErased(this.ch, this.erasures, rows, readBuilt))
    const started = performance.now()
    const eventsBody = !rows.built
      ? rows.events.join('\n')
      : rows.events.length
        ? joinLines(rows.built, rows.events)
        : rows.built
    // identity links before the events they came with: a query that sees an identified visitor's events sees
    // the link too, so a funnel or a profile never splits one person in two while the batch is half in
    if (rows.identities.length)
      await insertJsonEachRow(this.ch, TABLES.identities, rows.identities.join('\n'), `${token}:i`)
    if (eventsBody.length) await insertJsonEachRow(this.ch, TABLES.events, eventsBody, `${token}:e`)
    if (rows.rejected.length)
      await insertJsonEachRow(this.ch, TABLES.rejected, rows.rejected.join('\n'), `${token}:r`)
    const insertMs = performance.now() - started
    for (const id of batchIds) this.window.add(id)
    return {
      events: rows.events.length + rows.builtRows,
      rejected: rows.rejected.length,
      identities: rows.identities.length,
      duplicates,
      erased,
      insertMs,
    }
  }
}

/** Rows built from event inputs, then rows that came built (a spool written before its rows were deferred). */
function joinLines(built: Uint8Array, lines: string[]): Buffer {
  return Buffer.concat([built, Buffer.from(`\n${lines.join('\n')}`)])
}
