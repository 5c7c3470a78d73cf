import { constants } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { type Checkpoint, readCheckpoint, type SetAside, syncDir, writeCheckpoint } from './checkpoint'
import { validTail } from './recovery'
import { segmentName, segmentNumbers } from './segment-reader'

/**
 * How a segment is opened for appending: as 'a+', and with O_DSYNC, so that each write returns once its data is
 * on disk, as write() followed by fdatasync() did. One round trip to libuv's threads instead of two: the main
 * thread, busy with requests, no longer has to take the write's completion before the sync can start, and every
 * request waiting for the sync waits that much less.
 */
export const APPEND_DURABLY =
  constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | (constants.O_DSYNC ?? 0)
/** Where the platform has no O_DSYNC (Windows), each write is followed by fdatasync, as before. */
export const SYNC_AFTER_WRITE = constants.O_DSYNC === undefined

/** What a spool directory holds when the spool opens it, made ready for appending. */
export interface OpenedSegments {
  checkpoint: Checkpoint
  /** A damaged checkpoint found, moved aside (the whole spool is loaded again). */
  setAside: SetAside | undefined
  /** sizes of the sealed segments (fully written, no longer appended to) */
  sealed: Map<number, number>
  /** the last segment, to append to, its torn tail cut (validTail) */
  current: { segment: number; fh: FileHandle; size: number }
}

/**
 * Opens the segments of `dir` (made if missing) as the last process left them: the checkpoint read (or set aside
 * and written afresh), the segments loaded before it deleted, the others' sizes taken, and the last opened for
 * appending with a crash's torn tail cut off.
 */
export async function openSegments(dir: string): Promise<OpenedSegments> {
  await mkdir(dir, { recursive: true })
  const segments = segmentNumbers(await readdir(dir))
  const { checkpoint, setAside } = await readCheckpoint(dir, segments[0] ?? 1)
  await writeCheckpoint(dir, checkpoint)
  for (const n of segments.filter((s) => s < checkpoint.loaded.segment)) await rm(join(dir, segmentName(n)))
  const live = segments.filter((s) => s >= checkpoint.loaded.segment)
  const last = live.pop() ?? checkpoint.loaded.segment
  const sealed = new Map<number, number>()
  for (const n of live) sealed.set(n, (await stat(join(dir, segmentName(n)))).size)
  const lastPath = join(dir, segmentName(last))
  const size = await validTail(lastPath)
  const fh = await open(lastPath, APPEND_DURABLY)
  await syncDir(dir)
  return { checkpoint, setAside, sealed, current: { segment: last, fh, size } }
}
