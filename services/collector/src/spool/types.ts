import type { SpoolRecord } from './codec'

/** The spool's shapes and errors, as its callers see them (spool.ts is the Spool itself). */

export interface SpoolOptions {
  /** Most bytes waiting to be loaded before append() refuses with SpoolFullError. */
  maxBytes: number
  segmentBytes?: number
}

/** Records read from the spool for one insert, with the token that makes the insert idempotent. */
export interface SpoolBatch {
  records: SpoolRecord[]
  segment: number
  offset: number
  end: number
  token: string
}

export class SpoolFullError extends Error {
  constructor() {
    super('spool is full')
  }
}

/**
 * A write to the spool failed, most often because the disk is full (ENOSPC, or EFBIG past a file size limit):
 * none of it was kept (the segment is cut back to its last whole frame), nothing in it was acknowledged, and the
 * next append tries again.
 */
export class SpoolWriteError extends Error {
  /** the system's error code (ENOSPC, EFBIG, EIO…); 'short' for a write the system cut short */
  readonly code: string
  readonly at = Date.now()
  constructor(readonly reason: Error) {
    super(`the spool could not be written: ${reason.message}`)
    this.code = (reason as NodeJS.ErrnoException).code ?? 'short'
  }
}

/** Damaged bytes of the spool that the reader set aside: where they were, and the file that keeps them. */
export interface SpoolDamage {
  segment: number
  offset: number
  bytes: number
  file: string
}

/** A place in the spool: a segment and a byte offset in it. */
export interface SpoolPosition {
  segment: number
  offset: number
}

/** How long after a failed write the spool counts as failing (Spool.failing). */
export const FAILING_FOR_MS = 10_000

/** Told when spool writes begin to fail (with the first error) and when they succeed again (null). */
export type WriteStateListener = (failure: SpoolWriteError | null) => void
