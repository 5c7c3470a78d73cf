import { type ClickHouse, insertJsonEachRow, TABLES } from '@touchpoint/clickhouse'
import { DEFAULT_DEDUPE_MAX_IDS, DEFAULT_DEDUPE_WINDOW_MS, DedupeWindow } from './dedupe-window'
import { type LoadRecord, RECORD_KIND } from './record'

export interface LoadResult {
  events: number
  rejected: number
  identities: number
  /** events dropped because their id was already loaded (a retry) */
  duplicates: number
  /** wall time of the inserts, in milliseconds */
  insertMs: number
}

export interface LoaderOptions {
  dedupeWindowMs?: number
  dedupeMaxIds?: number
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
  private readonly windowMs: number
  private readonly maxIds: number

  constructor(
    private readonly ch: ClickHouse,
    options: LoaderOptions = {},
  ) {
    this.windowMs = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS
    this.maxIds = options.dedupeMaxIds ?? DEFAULT_DEDUPE_MAX_IDS
    this.window = new DedupeWindow(this.windowMs, this.maxIds)
  }

  /**
   * Fills the dedupe window with the ids loaded during the window before a restart, so that a client's retry
   * of an event that landed just before a crash is still recognised.
   */
  async warmUp(): Promise<number> {
    const windowSeconds = Math.ceil(this.windowMs / 1000)
    const rs = await this.ch.client.query({
      query: `SELECT id FROM (
                SELECT toString(event_id) AS id, received_at FROM ${TABLES.events}
                WHERE received_at >= now64(3) - toIntervalSecond({seconds:UInt32})
                UNION ALL
                SELECT toString(rejected_id) AS id, received_at FROM ${TABLES.rejected}
                WHERE received_at >= now64(3) - toIntervalSecond({seconds:UInt32})
              ) ORDER BY received_at LIMIT {limit:UInt32}`,
      query_params: { seconds: windowSeconds, limit: this.maxIds },
      format: 'JSONEachRow',
    })
    const rows = await rs.json<{ id: string }>()
    for (const row of rows) this.window.add(row.id)
    return rows.length
  }

  async load(records: readonly LoadRecord[], token: string): Promise<LoadResult> {
    const events: string[] = []
    const rejected: string[] = []
    const identities: string[] = []
    const batchIds = new Set<string>()
    let duplicates = 0
    for (const record of records) {
      if (record.kind === RECORD_KIND.event) {
        if (this.window.has(record.id) || batchIds.has(record.id)) {
          duplicates++
          continue
        }
        batchIds.add(record.id)
        events.push(record.payload)
      } else if (record.kind === RECORD_KIND.rejected) {
        if (record.id && (this.window.has(record.id) || batchIds.has(record.id))) continue
        if (record.id) batchIds.add(record.id)
        rejected.push(record.payload)
      } else if (record.kind === RECORD_KIND.identity) {
        identities.push(record.payload)
      } else {
        throw new Error(`record kind ${record.kind} must be built into a row before it is loaded`)
      }
    }
    const started = performance.now()
    if (events.length) await insertJsonEachRow(this.ch, TABLES.events, events.join('\n'), `${token}:e`)
    if (rejected.length) await insertJsonEachRow(this.ch, TABLES.rejected, rejected.join('\n'), `${token}:r`)
    if (identities.length)
      await insertJsonEachRow(this.ch, TABLES.identities, identities.join('\n'), `${token}:i`)
    const insertMs = performance.now() - started
    for (const id of batchIds) this.window.add(id)
    return {
      events: events.length,
      rejected: rejected.length,
      identities: identities.length,
      duplicates,
      insertMs,
    }
  }
}
