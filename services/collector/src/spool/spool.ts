import type { FileHandle } from 'node:fs/promises'
import { open, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Checkpoint, type PendingBatch, type SetAside, syncDir, writeCheckpoint } from './checkpoint'
import { decodeRecords, nextValidRecord, type SpoolRecord } from './codec'
import { SegmentReader, segmentName } from './segment-reader'
import { APPEND_DURABLY, openSegments, SYNC_AFTER_WRITE } from './segments'
import {
  FAILING_FOR_MS,
  type SpoolBatch,
  type SpoolDamage,
  SpoolFullError,
  type SpoolOptions,
  type SpoolPosition,
  SpoolWriteError,
  type WriteStateListener,
} from './types'

/** Size at which the spool starts a new segment file; loaded segments are deleted whole. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024

interface Waiter {
  resolve: () => void
  reject: (err: Error) => void
}

/** How often loadedBy() looks at the loader's committed position. */
const LOADED_POLL_MS = 25

/**
 * The embedded pipeline's write-ahead log: an append-only sequence of segment files.
 *
 * Writers: append() queues frames and resolves once they are on disk (APPEND_DURABLY); frames of all requests
 * that arrive while a write is running go together into the next one (group commit).
 * Reader (one loader): read() returns the records after the last loaded position, begin() records the batch
 * as pending, commit() moves the loaded position past it and deletes fully loaded segments.
 */
export class Spool {
  private queue: Buffer[] = []
  private queueBytes = 0
  private waiters: Waiter[] = []
  private flushing: Promise<void> | null = null
  private dataListeners: Array<() => void> = []
  private closed = false
  /**
   * A failed write whose segment could not be cut back to its last whole frame: what came after would follow a
   * torn frame, so each append tries the cut again first (cutBack) and is refused while it fails; a restart cuts
   * the tail too (validTail).
   */
  private broken: SpoolWriteError | null = null
  private cuttingBack: Promise<void> | null = null
  /** the failure of the last write, until a write succeeds again */
  private writeFailure: SpoolWriteError | null = null
  /** when an append was last refused because the spool held SPOOL_MAX_BYTES (0: never) */
  private refusedFullAt = 0
  private writeStateListener: WriteStateListener = () => {}
  private damaged = 0
  private damageListener: (damage: SpoolDamage) => void = () => {}
  private readonly reader: SegmentReader

  private constructor(
    private readonly dir: string,
    private readonly options: Required<SpoolOptions>,
    private checkpoint: Checkpoint,
    /** sizes of sealed segments (fully written, no longer appended to) */
    private readonly sealed: Map<number, number>,
    private current: { segment: number; fh: FileHandle; size: number },
    /** A damaged checkpoint found at open, moved aside (the whole spool is loaded again): for the log. */
    readonly checkpointSetAside: SetAside | undefined,
  ) {
    this.reader = new SegmentReader(dir)
  }

  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    const opts = { segmentBytes: DEFAULT_SEGMENT_BYTES, ...options }
    const { checkpoint, setAside, sealed, current } = await openSegments(dir)
    return new Spool(dir, opts, checkpoint, sealed, current, setAside)
  }

  /** Where the spool's writes have reached: every frame acknowledged so far lies before it. */
  get written(): SpoolPosition {
    return { segment: this.current.segment, offset: this.current.size }
  }

  /** Whether the loader has committed everything before `position` (written, read earlier). */
  loadedPast(position: SpoolPosition): boolean {
    const { segment, offset } = this.checkpoint.loaded
    return segment > position.segment || (segment === position.segment && offset >= position.offset)
  }

  /** Resolves true once loadedPast(position), false if it is not by `deadline` (a Date.now() time). */
  async loadedBy(position: SpoolPosition, deadline: number): Promise<boolean> {
    while (!this.loadedPast(position)) {
      if (Date.now() >= deadline) return false
      await sleep(LOADED_POLL_MS)
    }
    return true
  }

  /** The most bytes it holds before refusing more (SPOOL_MAX_BYTES). */
  get maxBytes(): number {
    return this.options.maxBytes
  }

  /** Bytes written but not yet loaded. */
  get queuedBytes(): number {
    let bytes =
      this.current.size -
      (this.checkpoint.loaded.segment === this.current.segment ? this.checkpoint.loaded.offset : 0)
    for (const [n, size] of this.sealed)
      bytes += n === this.checkpoint.loaded.segment ? size - this.checkpoint.loaded.offset : size
    return bytes
  }

  /**
   * The last write's failure, while writes fail (a full disk) and the last one failed less than
   * FAILING_FOR_MS ago; null while they succeed. The lapse lets a collector that answers not ready take
   * requests again after a while, so that some write finds out whether the disk has room again.
   */
  get failing(): SpoolWriteError | null {
    const f = this.broken ?? this.writeFailure
    return f && Date.now() - f.at < FAILING_FOR_MS ? f : null
  }

  /**
   * Whether the spool refuses appends: a write failed (`failing`), or an append was refused for want of room
   * (SPOOL_MAX_BYTES), less than FAILING_FOR_MS ago. The sinks answer 'down' meanwhile.
   */
  get refusing(): boolean {
    return this.failing !== null || Date.now() - this.refusedFullAt < FAILING_FOR_MS
  }

  /** Calls `listener` when writes begin to fail and when they succeed again (logging, readiness). */
  onWriteState(listener: WriteStateListener): void {
    this.writeStateListener = listener
  }

  get id(): string {
    return this.checkpoint.spoolId
  }

  /** The batch that was being loaded when the process stopped, if any. */
  get pending(): PendingBatch | null {
    return this.checkpoint.pending
  }

  /** Resolves when the frames are on disk (written with O_DSYNC: as fdatasync'd). */
  append(frames: Buffer[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool is closed'))
    if (this.broken) return this.cutBack().then(() => this.append(frames))
    // nothing to write: resolve now (a waiter with no frames would wait for somebody else's flush; an empty
    // batch hung until the request timed out, found by the fuzz tests)
    if (frames.length === 0) return Promise.resolve()
    let size = 0
    for (const f of frames) size += f.length
    if (this.queuedBytes + this.queueBytes + size > this.options.maxBytes) {
      this.refusedFullAt = Date.now()
      return Promise.reject(new SpoolFullError())
    }
    for (const f of frames) this.queue.push(f)
    this.queueBytes += size
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (!this.flushing) this.flushing = new Promise((r) => setImmediate(r)).then(() => this.flush())
    return done
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const data = Buffer.concat(this.queue, this.queueBytes)
        const waiters = this.waiters
        this.queue = []
        this.queueBytes = 0
        this.waiters = []
        // appended while the write before failed and could not be cut back: nothing may follow a torn frame
        if (
          this.broken &&
          !(await this.cutBack().then(
            () => true,
            () => false,
          ))
        ) {
          for (const w of waiters) w.reject(this.broken)
          continue
        }
        try {
          const { bytesWritten } = await this.current.fh.write(data, 0, data.length)
          // a short write (a disk filling up) is a failed one: cut back to the last whole frame below
          if (bytesWritten !== data.length) throw new Error(`${bytesWritten} of ${data.length} bytes written`)
          if (SYNC_AFTER_WRITE) await this.current.fh.datasync()
          this.current.size += data.length
        } catch (err) {
          await this.cutBack().catch(() => {}) // where it fails, `broken` says so
          const failure = new SpoolWriteError(err as Error)
          if (!this.writeFailure) this.writeStateListener(failure)
          this.writeFailure = failure
          for (const w of waiters) w.reject(failure)
          continue
        }
        if (this.writeFailure) {
          this.writeFailure = null
          this.writeStateListener(null)
        }
        for (const w of waiters) w.resolve()
        const listeners = this.dataListeners
        this.dataListeners = []
        for (const l of listeners) l()
        if (this.current.size >= this.options.segmentBytes) await this.roll()
      }
    } finally {
      this.flushing = null
    }
  }

  /**
   * Tries again to cut the current segment back to its last whole frame, after a failed write that could not be
   * (`broken`): once it can, appends go on; until then each is refused with the error of the latest try, so that
   * the spool says it is failing for FAILING_FOR_MS after each, as after a failed write. One try at a time.
   */
  private cutBack(): Promise<void> {
    this.cuttingBack ??= this.current.fh
      .truncate(this.current.size)
      .then(
        () => {
          this.broken = null
        },
        (err: Error) => {
          this.broken = new SpoolWriteError(err)
          throw this.broken
        },
      )
      .finally(() => {
        this.cuttingBack = null
      })
    return this.cuttingBack
  }

  /**
   * Starts the next segment. Where that fails (a full disk), appends go on into the current one and the next
   * write tries again: a segment past its size is only a larger file to load and delete.
   */
  private async roll(): Promise<void> {
    const next = this.current.segment + 1
    let fh: FileHandle | undefined
    try {
      fh = await open(join(this.dir, segmentName(next)), APPEND_DURABLY)
      await syncDir(this.dir)
    } catch {
      await fh?.close().catch(() => {})
      return
    }
    this.sealed.set(this.current.segment, this.current.size)
    const old = this.current.fh
    this.current = { segment: next, fh, size: 0 }
    await old.close()
  }

  /** Resolves on the next durable append, or after `ms`. */
  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.dataListeners.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Reads the pending batch left by a crash, exactly as it was, so that its insert token matches. */
  async readPending(): Promise<SpoolBatch | null> {
    const p = this.checkpoint.pending
    if (!p) return null
    const buf = await this.reader.range(p.segment, p.offset, p.end - p.offset)
    const decoded = decodeRecords(buf)
    // damaged since: read() takes the range again, setting the damage aside (its repeats dropped by the dedupe)
    if (decoded.end !== p.end - p.offset) return null
    return this.batch(p.segment, p.offset, decoded.records, p.end)
  }

  /**
   * Reads up to `maxRecords` records (and about `maxBytes`) after the loaded position; null when none. A damaged
   * record there (the disk's doing: a crash tears only the tail, which open() cuts) is set aside (setAsideDamage)
   * and the reading goes on past it.
   */
  async read(maxRecords: number, maxBytes: number): Promise<SpoolBatch | null> {
    for (;;) {
      await this.skipLoadedSegments()
      const { segment, offset } = this.checkpoint.loaded
      const found = await this.decodeAt(segment, offset, maxRecords, maxBytes)
      if (!found) return null
      if (found.records.length > 0) return this.batch(segment, offset, found.records, found.end)
      await this.setAsideDamage(segment, offset)
    }
  }

  /**
   * Moves the damaged bytes at the loaded position, up to the next whole record (or the end of what the segment
   * holds), into a file beside the segments (`damaged-<segment>-<offset>`), and the loaded position past them.
   */
  private async setAsideDamage(segment: number, offset: number): Promise<void> {
    const rest = await this.reader.range(segment, offset, this.limitOf(segment) - offset)
    const bytes = nextValidRecord(rest, 1) ?? rest.length
    const file = join(this.dir, `damaged-${segmentName(segment)}-${offset}`)
    await writeFile(file, rest.subarray(0, bytes))
    this.checkpoint = { ...this.checkpoint, loaded: { segment, offset: offset + bytes } }
    await writeCheckpoint(this.dir, this.checkpoint)
    this.damaged += bytes
    this.damageListener({ segment, offset, bytes, file })
  }

  /** Bytes of damaged records set aside since the spool was opened (setAsideDamage). */
  get damagedBytes(): number {
    return this.damaged
  }

  /** Calls `listener` for each damaged stretch the reader sets aside (logging). */
  onDamage(listener: (damage: SpoolDamage) => void): void {
    this.damageListener = listener
  }

  /**
   * The batch with up to `maxRecords` more records (and about `maxBytes` more) that follow it in its segment:
   * what read() would now return from the batch's start, without decoding its records again. The loader lets a
   * batch fill this way (LOADER_FLUSH_MS), and under load most of a batch is already there at its first read.
   */
  async extend(batch: SpoolBatch, maxRecords: number, maxBytes: number): Promise<SpoolBatch> {
    if (maxRecords <= 0 || maxBytes <= 0) return batch
    const more = await this.decodeAt(batch.segment, batch.end, maxRecords, maxBytes)
    // a corrupt record just past the batch is for the next read to report, as it would be without extend()
    if (!more || more.records.length === 0) return batch
    return this.batch(batch.segment, batch.offset, batch.records.concat(more.records), more.end)
  }

  /** Whole records from `offset` of a segment (SegmentReader.decode); null when nothing is written there yet. */
  private decodeAt(segment: number, offset: number, maxRecords: number, maxBytes: number) {
    return this.reader.decode(segment, offset, this.limitOf(segment), maxRecords, maxBytes)
  }

  /** Where a segment's written bytes end. */
  private limitOf(segment: number): number {
    return segment === this.current.segment ? this.current.size : (this.sealed.get(segment) ?? 0)
  }

  private batch(segment: number, offset: number, records: SpoolRecord[], end: number): SpoolBatch {
    return { records, segment, offset, end, token: `${this.checkpoint.spoolId}:${segment}:${offset}-${end}` }
  }

  /** Records the batch as pending before it is inserted. */
  async begin(batch: SpoolBatch): Promise<void> {
    this.checkpoint = {
      ...this.checkpoint,
      pending: { segment: batch.segment, offset: batch.offset, end: batch.end },
    }
    await writeCheckpoint(this.dir, this.checkpoint)
  }

  /** Marks the batch as loaded: its bytes are no longer needed. */
  async commit(batch: SpoolBatch): Promise<void> {
    this.checkpoint = {
      ...this.checkpoint,
      loaded: { segment: batch.segment, offset: batch.end },
      pending: null,
    }
    await writeCheckpoint(this.dir, this.checkpoint)
  }

  /** Moves past sealed segments that are fully loaded, deleting their files. */
  private async skipLoadedSegments(): Promise<void> {
    for (;;) {
      const { segment, offset } = this.checkpoint.loaded
      const size = this.sealed.get(segment)
      if (size === undefined || offset < size) return
      this.checkpoint = { ...this.checkpoint, loaded: { segment: segment + 1, offset: 0 } }
      await writeCheckpoint(this.dir, this.checkpoint)
      this.sealed.delete(segment)
      await this.reader.release(segment)
      await rm(join(this.dir, segmentName(segment)), { force: true })
    }
  }

  /** Resolves once the writes under way are done, with the start of the next segment that may follow them. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  /** Finishes writes under way and closes the files. Appends after this are refused. */
  async close(): Promise<void> {
    this.closed = true
    await this.settled()
    await this.reader.close()
    await this.current.fh.close()
  }
}
