import { crc32 } from 'node:zlib'
import { isRecordKind, type LoadRecord, type RecordKind } from '@touchpoint/loader'

/**
 * Spool record framing: [u32 body length][u32 crc32 of body][body], body = [u8 kind][u8 id length][id][payload].
 * A torn or corrupt tail (crash mid-write) fails the length or CRC check and is cut off at recovery; records
 * before it were fsync'd before they were acknowledged.
 */
export const HEADER_BYTES = 8

export function encodeRecord(kind: RecordKind, id: string, payload: string): Buffer {
  const idLen = Buffer.byteLength(id, 'latin1')
  const payloadLen = Buffer.byteLength(payload, 'utf8')
  const bodyLen = 2 + idLen + payloadLen
  const buf = Buffer.allocUnsafe(HEADER_BYTES + bodyLen)
  buf.writeUInt8(kind, HEADER_BYTES)
  buf.writeUInt8(idLen, HEADER_BYTES + 1)
  buf.write(id, HEADER_BYTES + 2, 'latin1')
  buf.write(payload, HEADER_BYTES + 2 + idLen, 'utf8')
  buf.writeUInt32LE(bodyLen, 0)
  buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 4)
  return buf
}

export interface Decoded {
  records: LoadRecord[]
  /** offset (within `buf`) just past the last whole, valid record */
  end: number
  /** true when decoding stopped at a bad record rather than at the end of the buffer or a partial tail */
  corrupt: boolean
}

/** Decodes whole records from `buf`, stopping at the first partial or corrupt one, or after `maxRecords`. */
export function decodeRecords(buf: Buffer, maxRecords = Number.POSITIVE_INFINITY): Decoded {
  const records: LoadRecord[] = []
  let pos = 0
  while (records.length < maxRecords && pos + HEADER_BYTES <= buf.length) {
    const bodyLen = buf.readUInt32LE(pos)
    const end = pos + HEADER_BYTES + bodyLen
    if (bodyLen < 2) return { records, end: pos, corrupt: true }
    if (end > buf.length) break
    const body = buf.subarray(pos + HEADER_BYTES, end)
    const kind = body.readUInt8(0)
    const idLen = body.readUInt8(1)
    if (crc32(body) !== buf.readUInt32LE(pos + 4) || !isRecordKind(kind) || 2 + idLen > bodyLen) {
      return { records, end: pos, corrupt: true }
    }
    records.push({
      kind,
      id: body.toString('latin1', 2, 2 + idLen),
      payload: body.toString('utf8', 2 + idLen),
    })
    pos = end
  }
  return { records, end: pos, corrupt: false }
}

/** Length of the record starting at `buf[0]`, or undefined when its header is not all there. */
export function recordLength(buf: Buffer): number | undefined {
  return buf.length >= HEADER_BYTES ? HEADER_BYTES + buf.readUInt32LE(0) : undefined
}
