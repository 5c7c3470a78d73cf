import { setTimeout as sleep } from 'node:timers/promises'
import type { ClickHouse } from '@touchpoint/clickhouse'
import { Loader, type LoaderOptions, type LoadRecord, loadIsolating, type Refused } from '@touchpoint/loader'
import type { FastifyBaseLogger } from 'fastify'
import type { Metrics } from '../metrics'
import { encodeRecord } from '../spool/codec'
import { Spool } from '../spool/spool'
import type { SpoolBatch } from '../spool/types'
import { refusedRecord } from './refused'
import { RowBuilder } from './row-builder'
import type { OutboundRecord, Sink } from './sink'
import { reportSpoolHealth } from './spool-health'

/** Upper bound of one batch read from the spool, whatever its row count. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024
const MAX_BACKOFF_MS = 10_000
/** How long close() waits for the spool to drain into ClickHouse before leaving the rest on disk. */
const DRAIN_TIMEOUT_MS = 30_000

export interface EmbeddedOptions {
  spoolDir: string
  maxBytes: number
  batchRows: number
  flushMs: number
  dedupe?: LoaderOptions
}

/**
 * The embedded pipeline: accepted records go to the on-disk spool (acknowledged once fsync'd), and a loader
 * loop in the same process moves them into ClickHouse in batches, checkpointing after each insert.
 */
export class EmbeddedPipeline implements Sink {
  readonly buildsRows = true
  private stopping = false
  private storageUp = true
  /** the wait before the loader loop starts again after a failure; back to its least after each commit */
  private backoffMs = 100
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  /** Builds the rows of the event inputs the collector spools (EventProcessor's deferRows), off the main thread. */
  private readonly rows = new RowBuilder()
  private readonly build = (payloads: string[]) => this.rows.build(payloads)

  private constructor(
    readonly spool: Spool,
    private readonly loader: Loader,
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
    private readonly options: EmbeddedOptions,
  ) {
    metrics.gauge(
      'touchpoint_spool_queued_bytes',
      'Bytes accepted but not yet loaded.',
      () => spool.queuedBytes,
    )
    reportSpoolHealth(spool, log, metrics)
    metrics.gauge(
      'touchpoint_dedupe_window_ids',
      'Message ids the dedupe window remembers (bounded by DEDUPE_MAX_IDS).',
      () => loader.window.count,
    )
  }

  static async start(ch: ClickHouse, metrics: Metrics, log: FastifyBaseLogger, options: EmbeddedOptions) {
    const spool = await Spool.open(options.spoolDir, { maxBytes: options.maxBytes })
    const loader = new Loader(ch, options.dedupe)
    const warmed = await loader.warmUp()
    log.debug({ warmed }, 'dedupe window warmed from ClickHouse')
    const pipeline = new EmbeddedPipeline(spool, loader, metrics, log, options)
    pipeline.loop = pipeline.runUntilStopped()
    return pipeline
  }

  /**
   * The loader loop, started again after a failure of its own (a checkpoint that a full disk would not take, a
   * spool read that failed), with backoff: what it did not commit it reads again, with the same insert token.
   */
  private async runUntilStopped(): Promise<void> {
    for (;;) {
      try {
        await this.run()
        return
      } catch (err) {
        this.storageUp = false
        if (this.stopping) {
          this.log.error({ err }, 'loader stopped; accepted events stay in the spool until the next start')
          return
        }
        this.log.error({ err, retryInMs: this.backoffMs }, 'loading from the spool failed; retrying')
        await sleep(this.backoffMs)
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS)
      }
    }
  }

  append(records: OutboundRecord[]): Promise<void> {
    return this.spool.append(records.map((r) => encodeRecord(r.kind, r.id, r.payload, r.key)))
  }

  /**
   * Resolves true once the loader has committed everything the spool held at the call (a person's erasure or
   * export waits for it, so that their last events are not loaded after it), false after `timeoutMs`. The loader is
   * woken from its wait for more data; a batch filling up still waits its flush time.
   */
  stored(timeoutMs: number): Promise<boolean> {
    const written = this.spool.written
    this.wake?.()
    return this.spool.loadedBy(written, Date.now() + timeoutMs)
  }

  /**
   * 'down' while the spool cannot be written or is full (calls are refused), 'degraded' while ClickHouse refuses
   * inserts (calls are spooled).
   */
  status(): 'ok' | 'degraded' | 'down' {
    if (this.spool.refusing) return 'down'
    return this.storageUp ? 'ok' : 'degraded'
  }

  private async run(): Promise<void> {
    const pending = await this.spool.readPending()
    if (pending) {
      this.log.info(
        { records: pending.records.length },
        'reloading the batch that was in flight at the last stop',
      )
      await this.loadWithRetry(pending)
      await this.spool.commit(pending)
    }
    for (;;) {
      let batch = await this.spool.read(this.options.batchRows, MAX_BATCH_BYTES)
      if (!batch) {
        if (this.stopping) return
        await Promise.race([this.spool.waitForData(1000), new Promise<void>((r) => (this.wake = r))])
        continue
      }
      if (!this.stopping && batch.records.length < this.options.batchRows && this.options.flushMs > 0) {
        await sleep(this.options.flushMs)
        batch = await this.spool.extend(
          batch,
          this.options.batchRows - batch.records.length,
          MAX_BATCH_BYTES - (batch.end - batch.offset),
        )
      }
      await this.spool.begin(batch)
      await this.loadWithRetry(batch)
      await this.spool.commit(batch)
      this.backoffMs = 100
    }
  }

  private async loadWithRetry(batch: SpoolBatch): Promise<void> {
    let backoff = 100
    for (;;) {
      try {
        const refused = await loadIsolating(batch.records, batch.token, (records, token) =>
          this.loadPart(records, token),
        )
        if (refused.length) await this.keepRefused(refused, batch.token)
        this.storageUp = true
        this.metrics.loadBatch.observe(batch.records.length)
        return
      } catch (err) {
        this.storageUp = false
        this.metrics.loadErrors.inc()
        this.log.error(
          { err, records: batch.records.length, retryInMs: backoff },
          'insert into ClickHouse failed',
        )
        if (this.stopping) throw err
        await sleep(backoff)
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
      }
    }
  }

  private async loadPart(records: readonly LoadRecord[], token: string): Promise<void> {
    const result = await this.loader.load(records, token, this.build)
    this.metrics.loaded.inc({}, result.events)
    if (result.duplicates) this.metrics.duplicates.inc({}, result.duplicates)
    if (result.erased) {
      this.metrics.erased.inc({}, result.erased)
      this.log.info({ records: result.erased }, 'left out records of people erased after they were received')
    }
    this.metrics.loadLatency.observe(result.insertMs / 1000)
  }

  /**
   * Records ClickHouse refused for what they hold go to events_rejected with its reason, rather than stopping every
   * record behind them. One refused even there (its raw text, say) is logged whole and left: nothing else can take it.
   */
  private async keepRefused(refused: Refused<LoadRecord>[], token: string): Promise<void> {
    this.metrics.refused.inc({}, refused.length)
    this.log.warn(
      { records: refused.length, reason: refused[0]!.reason },
      'ClickHouse refused records for what they hold; kept in events_rejected',
    )
    const kept = refused.map((r) => refusedRecord(r.item, r.reason))
    const lost = await loadIsolating(kept, `${token}/refused`, (records, t) => this.loader.load(records, t))
    for (const { item, reason } of lost)
      this.log.error({ record: item.payload, reason }, 'ClickHouse refused a record and its rejection too')
  }

  /** Stops after loading everything already accepted (or after DRAIN_TIMEOUT_MS; the rest stays spooled). */
  async close(): Promise<void> {
    this.stopping = true
    this.wake?.()
    if (this.loop) {
      const drained = await Promise.race([
        this.loop.then(() => true),
        sleep(DRAIN_TIMEOUT_MS).then(() => false),
      ])
      if (!drained) this.log.warn('spool not fully drained at shutdown; the rest loads at the next start')
    }
    await this.rows.close()
    await this.spool.close()
  }
}
