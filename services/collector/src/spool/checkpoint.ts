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

export async function readCheckpoint(dir: string, firstSegment: number): Promise<Checkpoint> {
  try {
    return JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Checkpoint
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return { spoolId: randomUUID(), loaded: { segment: firstSegment, offset: 0 }, pending: null }
  }
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
