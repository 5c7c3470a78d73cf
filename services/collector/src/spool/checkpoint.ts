import { randomUUID } from 'node:crypto'
import { open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'

/** A place in the spool: a segment number and a byte offset in it. */
export interface SpoolPosition {
  segment: number
  offset: number
}

/** A batch the loader took and may have inserted; after a crash it is loaded again, with the same token. */
export interface PendingBatch {
  segment: number
  offset: number
  end: number
}

export interface Checkpoint {
  /** Random per spool directory, part of every insert token, so a recreated spool never reuses tokens. */
  spoolId: string
  /** Everything before this position is in ClickHouse. */
  loaded: SpoolPosition
  pending: PendingBatch | null
}

const FILE = 'checkpoint.json'

/** A checkpoint that did not read, moved aside: where to, and why. */
export interface SetAside {
  path: string
  reason: string
}

/**
 * The spool's checkpoint, or a fresh one (everything in the spool still to load) where there is none, or where
 * it does not read: the collector's own writes of it are atomic (below), so that takes damage from outside (an
 * edit, the disk). A damaged one is moved aside, not deleted, and said in `setAside`; loading the spool again
 * from its first segment repeats only events that the dedupe window drops (or, past its hour, merges collapse).
 */
export async function readCheckpoint(
  dir: string,
  firstSegment: number,
): Promise<{ checkpoint: Checkpoint; setAside?: SetAside }> {
  const fresh = { spoolId: randomUUID(), loaded: { segment: firstSegment, offset: 0 }, pending: null }
  const path = join(dir, FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return { checkpoint: fresh }
  }
  const read = parseCheckpoint(text)
  if (typeof read !== 'string') return { checkpoint: read }
  const aside = `${path}.damaged-${Date.now()}`
  await rename(path, aside)
  return { checkpoint: fresh, setAside: { path: aside, reason: read } }
}

/** The checkpoint a text holds, or what is wrong with it. */
function parseCheckpoint(text: string): Checkpoint | string {
  let c: Partial<Checkpoint>
  try {
    c = JSON.parse(text)
  } catch (err) {
    return `not JSON (${(err as Error).message})`
  }
  const position = (p: unknown) =>
    typeof p === 'object' &&
    p !== null &&
    Number.isSafeInteger((p as SpoolPosition).segment) &&
    Number.isSafeInteger((p as SpoolPosition).offset)
  if (typeof c?.spoolId !== 'string' || !c.spoolId) return 'no spoolId'
  if (!position(c.loaded)) return 'no loaded position'
  if (c.pending !== null && !(position(c.pending) && Number.isSafeInteger(c.pending?.end)))
    return 'a bad pending batch'
  return c as Checkpoint
}

/** Write-then-rename with fsync of the file and the directory: the checkpoint is either old or new, never torn. */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  const tmp = join(dir, `${FILE}.tmp`)
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(JSON.stringify(checkpoint))
    await fh.datasync()
  } finally {
    await fh.close()
  }
  await rename(tmp, join(dir, FILE))
  await syncDir(dir)
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
