import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeRecordsInSlices, recordLength, type SpoolRecord } from './codec'

const SEGMENT_SUFFIX = '.seg'

/** A segment's file name: its number, zero-padded so that names sort as the numbers do. */
export const segmentName = (n: number) => `${String(n).padStart(20, '0')}${SEGMENT_SUFFIX}`

/** The segment numbers among a directory's file names, in order. */
export const segmentNumbers = (files: string[]): number[] =>
  files
    .filter((f) => f.endsWith(SEGMENT_SUFFIX))
    .map((f) => Number.parseInt(f, 10))
    .filter((n) => Number.isSafeInteger(n) && n > 0)
    .sort((a, b) => a - b)

/**
 * The spool's reader of its segment files, with a file handle of its own, so that a segment roll can close the
 * writer's handle at any time.
 */
export class SegmentReader {
  private handle: { segment: number; fh: FileHandle } | null = null

  constructor(private readonly dir: string) {}

  /** Up to `length` bytes of a segment from `offset` (fewer where it ends). */
  async range(segment: number, offset: number, length: number): Promise<Buffer> {
    if (this.handle?.segment !== segment) {
      await this.handle?.fh.close()
      this.handle = { segment, fh: await open(join(this.dir, segmentName(segment)), 'r') }
    }
    const buf = Buffer.allocUnsafe(length)
    const { bytesRead } = await this.handle.fh.read(buf, 0, length, offset)
    return buf.subarray(0, bytesRead)
  }

  /**
   * Whole records from `offset` of a segment whose written bytes end at `limit`, at least one however large
   * unless the first is corrupt (then none); null when nothing is written there yet.
   */
  async decode(
    segment: number,
    offset: number,
    limit: number,
    maxRecords: number,
    maxBytes: number,
  ): Promise<{ records: SpoolRecord[]; end: number } | null> {
    if (offset >= limit) return null
    let buf = await this.range(segment, offset, Math.min(limit - offset, maxBytes))
    let decoded = await decodeRecordsInSlices(buf, maxRecords)
    if (decoded.records.length === 0 && !decoded.corrupt) {
      const whole = recordLength(buf) ?? 0
      buf = await this.range(segment, offset, Math.min(whole, limit - offset))
      decoded = await decodeRecordsInSlices(buf, maxRecords)
    }
    return { records: decoded.records, end: offset + decoded.end }
  }

  /** Closes the handle of a segment about to be deleted, if it is the one open. */
  async release(segment: number): Promise<void> {
    if (this.handle?.segment !== segment) return
    await this.handle.fh.close()
    this.handle = null
  }

  async close(): Promise<void> {
    await this.handle?.fh.close()
    this.handle = null
  }
}
