import { RECORD_KIND } from '@touchpoint/loader'
import { describe, expect, it } from 'vitest'
import { DECODE_SLICE, decodeRecords, decodeRecordsInSlices, encodeRecord } from './codec'

const frame = (i: number) => encodeRecord(RECORD_KIND.event, `id-${i}`, JSON.stringify({ i }))
const payloads = (records: { payload: string }[]) => records.map((r) => JSON.parse(r.payload).i)

describe('spool codec', () => {
  it('round-trips records and stops at a partial or corrupt one', () => {
    const a = frame(1)
    const b = frame(2)
    expect(payloads(decodeRecords(Buffer.concat([a, b])).records)).toEqual([1, 2])
    const partial = decodeRecords(Buffer.concat([a, b.subarray(0, b.length - 3)]))
    expect(partial).toMatchObject({ end: a.length, corrupt: false })
    const flipped = Buffer.concat([a, b])
    flipped[flipped.length - 1]! ^= 0xff
    expect(decodeRecords(flipped)).toMatchObject({ end: a.length, corrupt: true })
  })

  it('decodes in slices what it decodes in one go: whole, partial and corrupt tails, and record limits', async () => {
    const n = 2 * DECODE_SLICE + 500
    const frames = Array.from({ length: n }, (_, i) => frame(i))
    const whole = Buffer.concat(frames)
    const partial = Buffer.concat([whole, frame(n).subarray(0, 5)])
    const corrupt = Buffer.from(whole)
    // a byte of the record just past the first slice, and one of the last record
    const past = frames.slice(0, DECODE_SLICE + 1).reduce((s, f) => s + f.length, 0)
    corrupt[past - 1]! ^= 0xff
    const lastCorrupt = Buffer.from(whole)
    lastCorrupt[lastCorrupt.length - 1]! ^= 0xff
    const cases: [Buffer, number | undefined][] = [
      [whole, undefined],
      [partial, undefined],
      [corrupt, undefined],
      [lastCorrupt, undefined],
      [whole, DECODE_SLICE],
      [whole, DECODE_SLICE + 7],
      [whole, 3],
      [Buffer.alloc(0), undefined],
    ]
    for (const [buf, max] of cases) {
      const sliced = await decodeRecordsInSlices(buf, max)
      expect(sliced).toEqual(decodeRecords(buf, max))
    }
    expect((await decodeRecordsInSlices(corrupt)).records).toHaveLength(DECODE_SLICE)
    expect((await decodeRecordsInSlices(whole)).records).toHaveLength(n)
  })

  it('lets other work run between slices', async () => {
    const buf = Buffer.concat(Array.from({ length: 3 * DECODE_SLICE }, (_, i) => frame(i)))
    let turns = 0
    const tick = () => {
      turns++
      if (turns < 100) setImmediate(tick)
    }
    setImmediate(tick)
    const decoded = await decodeRecordsInSlices(buf)
    expect(decoded.records).toHaveLength(3 * DECODE_SLICE)
    // one turn of other work after each of the first two slices (in one go, none would have run)
    expect(turns).toBeGreaterThanOrEqual(2)
  })
})
