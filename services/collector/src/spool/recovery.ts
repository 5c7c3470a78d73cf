import type { FileHandle } from 'node:fs/promises'
import { open, stat, truncate } from 'node:fs/promises'
import { decodeRecords, nextValidRecord } from './codec'

/*
 * What opening the spool (openSegments) does to the segment it will append to, as found on disk after whatever
 * stopped the last process: a crash's torn tail is cut; damage from the disk, with whole records after it, is kept
 * for the reader.
 */

/**
 * Scans a segment, cuts off a torn tail (a crash's: never acknowledged), returns the valid size. A damaged record
 * followed by whole ones is damage from the disk, not a crash's tail: the records after it were acknowledged, so
 * they stay, and the reader sets the damaged bytes aside when it gets there (Spool.read).
 */
export async function validTail(path: string): Promise<number> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
  const fh = await open(path, 'r')
  let valid = 0
  try {
    const chunk = 8 * 1024 * 1024
    let carry = Buffer.alloc(0)
    let pos = 0
    while (pos < size) {
      const buf = Buffer.allocUnsafe(Math.min(chunk, size - pos))
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos)
      pos += bytesRead
      const data = carry.length
        ? Buffer.concat([carry, buf.subarray(0, bytesRead)])
        : buf.subarray(0, bytesRead)
      const decoded = decodeRecords(data)
      valid += decoded.end
      if (decoded.corrupt) break
      carry = data.subarray(decoded.end)
    }
    // what stopped the scan short of the end (a bad record, or a length past the end: a torn tail, or a damaged
    // length) is damage if whole records follow it
    if (valid < size) valid += await wholeRecordsPastDamage(fh, valid, size)
  } finally {
    await fh.close()
  }
  if (valid < size) await truncate(path, valid)
  return valid
}

/**
 * From a damaged record at `from`, the length of what holds whole records after it (more damage between them
 * included), up to the torn tail if there is one: 0 when no whole record follows.
 */
async function wholeRecordsPastDamage(fh: FileHandle, from: number, size: number): Promise<number> {
  const rest = Buffer.allocUnsafe(size - from)
  const { bytesRead } = await fh.read(rest, 0, rest.length, from)
  const buf = rest.subarray(0, bytesRead)
  let end = 0
  for (let at = nextValidRecord(buf, 1); at !== undefined; at = nextValidRecord(buf, end + 1)) {
    const decoded = decodeRecords(buf.subarray(at))
    end = at + decoded.end
    if (!decoded.corrupt) break
  }
  return end
}
