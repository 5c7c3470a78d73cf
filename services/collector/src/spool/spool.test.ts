import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { join } from 'node:path'
import { RECORD_KIND } from '@touchpoint/loader'
import { describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../../../test/helpers/collector'
import { encodeRecord } from './codec'
import { Spool } from './spool'
import { SpoolFullError, SpoolWriteError } from './types'

const frame = (i: number) => encodeRecord(RECORD_KIND.event, `id-${i}`, JSON.stringify({ i }))
const payloads = (records: { payload: string }[]) => records.map((r) => JSON.parse(r.payload).i)
/** FileHandle's prototype, for spying on its methods: a unit's stand-in for a disk that fails. */
async function fileHandlePrototype(dir: string): Promise<FileHandle> {
  const probe = await open(join(dir, 'probe'), 'w')
  await probe.close()
  return Object.getPrototypeOf(probe) as FileHandle
}
const segments = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort()

describe('Spool', () => {
  it('returns appended records in order, and nothing once they are committed', async () => {
    const spool = await Spool.open(tempDir(), { maxBytes: 1e9 })
    await Promise.all([spool.append([frame(1), frame(2)]), spool.append([frame(3)])])
    const batch = (await spool.read(100, 1e6))!
    expect(payloads(batch.records)).toEqual([1, 2, 3])
    await spool.begin(batch)
    await spool.commit(batch)
    expect(await spool.read(100, 1e6)).toBeNull()
    expect(spool.queuedBytes).toBe(0)
    await spool.close()
  })

  it('extends a batch with the records written after it, as a fresh read would return them', async () => {
    const spool = await Spool.open(tempDir(), { maxBytes: 1e9 })
    await spool.append([frame(1), frame(2)])
    const first = (await spool.read(100, 1e6))!
    expect(await spool.extend(first, 100, 1e6)).toEqual(first) // nothing written since
    await spool.append([frame(3), frame(4), frame(5)])
    const extended = await spool.extend(first, 2, 1e6)
    expect(payloads(extended.records)).toEqual([1, 2, 3, 4])
    // the same range, records and token as a read from the batch's start: a replay after a crash matches
    expect(extended).toEqual(await spool.read(4, 1e6))
    expect(await spool.extend(extended, 0, 1e6)).toBe(extended)
    await spool.begin(extended)
    await spool.commit(extended)
    expect(payloads((await spool.read(100, 1e6))!.records)).toEqual([5])
    await spool.close()
  })

  it('extends a batch only within its segment, leaving what a roll moved on to the next read', async () => {
    const spool = await Spool.open(tempDir(), { maxBytes: 1e9, segmentBytes: frame(1).length * 2 })
    await spool.append([frame(1)])
    const first = (await spool.read(100, 1e6))!
    await spool.append([frame(2)]) // fills the segment, which rolls
    await spool.append([frame(3)]) // the next segment's first record
    const extended = await spool.extend(first, 100, 1e6)
    expect(payloads(extended.records)).toEqual([1, 2])
    expect(extended.segment).toBe(first.segment)
    await spool.begin(extended)
    await spool.commit(extended)
    const next = (await spool.read(100, 1e6))!
    expect(payloads(next.records)).toEqual([3])
    expect(next.segment).toBe(first.segment + 1)
    await spool.close()
  })

  it('answers an append of nothing at once, with no other append to flush it', async () => {
    const spool = await Spool.open(tempDir(), { maxBytes: 1e9 })
    const quiet = Symbol('still waiting')
    const first = await Promise.race([spool.append([]), new Promise((r) => setTimeout(() => r(quiet), 1000))])
    expect(first).not.toBe(quiet)
    await spool.close()
  })

  it('cuts a torn tail at reopen and keeps every whole record', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9 })
    await spool.append([frame(1), frame(2)])
    await spool.close()
    const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!)
    const whole = statSync(seg).size
    appendFileSync(seg, frame(3).subarray(0, 10))
    const reopened = await Spool.open(dir, { maxBytes: 1e9 })
    expect(statSync(seg).size).toBe(whole)
    expect(payloads((await reopened.read(100, 1e6))!.records)).toEqual([1, 2])
    await reopened.append([frame(4)])
    expect(payloads((await reopened.read(100, 1e6))!.records)).toEqual([1, 2, 4])
    await reopened.close()
  })

  it('gives back the pending batch after a restart, byte for byte, with the same token', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9 })
    await spool.append([frame(1), frame(2), frame(3)])
    const batch = (await spool.read(2, 1e6))!
    await spool.begin(batch)
    await spool.append([frame(4)])
    await spool.close()
    const reopened = await Spool.open(dir, { maxBytes: 1e9 })
    const pending = (await reopened.readPending())!
    expect(pending.token).toBe(batch.token)
    expect(payloads(pending.records)).toEqual([1, 2])
    await reopened.commit(pending)
    expect(payloads((await reopened.read(100, 1e6))!.records)).toEqual([3, 4])
    await reopened.close()
  })

  it('rolls segments and deletes those fully loaded', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9, segmentBytes: 200 })
    for (let i = 0; i < 20; i++) await spool.append([frame(i)])
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(2)
    const seen: number[] = []
    for (;;) {
      const batch = await spool.read(100, 1e6)
      if (!batch) break
      seen.push(...payloads(batch.records))
      await spool.begin(batch)
      await spool.commit(batch)
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(1)
    await spool.close()
  })

  it('tells whether the loader has committed everything written before a point, across segments', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9, segmentBytes: 200 })
    for (let i = 0; i < 5; i++) await spool.append([frame(i)])
    const written = spool.written
    expect(spool.loadedPast(written)).toBe(false)
    for (let i = 5; i < 12; i++) await spool.append([frame(i)])
    const seen: number[] = []
    while (!spool.loadedPast(written)) {
      const batch = (await spool.read(1, 1e6))!
      seen.push(...payloads(batch.records))
      await spool.begin(batch)
      await spool.commit(batch)
    }
    // loaded past the point as soon as the records before it were, not before, whatever came after
    expect(seen).toEqual([0, 1, 2, 3, 4])
    expect(spool.loadedPast(spool.written)).toBe(false)
    await spool.close()
  })

  it('fails the appends of a short write and keeps only whole records', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9 })
    await spool.append([frame(1)])
    const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!)
    const whole = statSync(seg).size
    // the next write reaches the disk 3 bytes short, as on a disk filling up
    const proto = await fileHandlePrototype(dir)
    const write = proto.write as (
      buf: Buffer,
      offset: number,
      length: number,
    ) => ReturnType<FileHandle['write']>
    const short = vi.spyOn(proto, 'write').mockImplementationOnce(function (
      this: FileHandle,
      ...args: unknown[]
    ) {
      const [buf, offset, length] = args as [Buffer, number, number]
      return write.call(this, buf, offset, length - 3)
    } as FileHandle['write'])
    await expect(spool.append([frame(2)])).rejects.toThrow(/bytes written/)
    short.mockRestore()
    expect(statSync(seg).size).toBe(whole) // the torn frame is cut off at once
    await spool.append([frame(3)])
    expect(payloads((await spool.read(100, 1e6))!.records)).toEqual([1, 3])
    await spool.close()
    const reopened = await Spool.open(dir, { maxBytes: 1e9 })
    expect(payloads((await reopened.read(100, 1e6))!.records)).toEqual([1, 3])
    await reopened.close()
  })

  it('says once when writes begin to fail and once when they succeed again', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9 })
    await spool.append([frame(1)])
    const told: Array<string | null> = []
    spool.onWriteState((failure) => told.push(failure ? failure.code : null))
    // the disk is full for three writes (a unit's stand-in; the disk-full test has the kernel refuse them)
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    const write = vi.spyOn(await fileHandlePrototype(dir), 'write').mockRejectedValue(full)
    for (const i of [2, 3, 4]) {
      const refused = spool.append([frame(i)])
      await expect(refused).rejects.toBeInstanceOf(SpoolWriteError)
      await expect(refused).rejects.toMatchObject({ code: 'ENOSPC' })
    }
    expect(spool.failing?.code).toBe('ENOSPC')
    expect(spool.queuedBytes).toBe(frame(1).length) // nothing of the refused appends counts
    write.mockRestore()
    await spool.append([frame(5)])
    expect(spool.failing).toBeNull()
    expect(told).toEqual(['ENOSPC', null]) // once each way, for three refusals
    expect(payloads((await spool.read(100, 1e6))!.records)).toEqual([1, 5])
    await spool.close()
  })

  it('refuses every append with SpoolWriteError when a failed write cannot be cut back', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9, segmentBytes: 1 })
    await spool.append([frame(1)]) // fills the first segment: segment 2 is started
    await spool.close()
    // segment 2 is /dev/full: every write fails with ENOSPC, and it cannot be truncated either (EINVAL)
    const second = join(dir, segments(dir)[1]!)
    rmSync(second)
    symlinkSync('/dev/full', second)
    const full = await Spool.open(dir, { maxBytes: 1e9 })
    await expect(full.append([frame(2)])).rejects.toMatchObject({ code: 'ENOSPC' })
    // the segment may hold a torn frame now: nothing may follow it, and the refusals stay 503s (SpoolWriteError)
    await expect(full.append([frame(3)])).rejects.toBeInstanceOf(SpoolWriteError)
    expect(full.failing).toBeInstanceOf(SpoolWriteError)
    await full.close()
  })

  it('cuts a failed write back when it can again, and then takes appends', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9 })
    await spool.append([frame(1)])
    const proto = await fileHandlePrototype(dir)
    // a write that fails half-way (the disk), and a cut that fails the first time (the same disk, for a moment)
    const write = vi.spyOn(proto, 'write').mockImplementationOnce((async (...args: unknown[]) => {
      const [buf] = args as [Buffer]
      appendFileSync(join(dir, segments(dir)[0]!), buf.subarray(0, 5))
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    }) as FileHandle['write'])
    const truncate = vi
      .spyOn(proto, 'truncate')
      .mockRejectedValueOnce(Object.assign(new Error('input/output error'), { code: 'EIO' }))
    await expect(spool.append([frame(2)])).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(spool.failing).toBeInstanceOf(SpoolWriteError)
    // before the fix: refused until a restart; now the next append cuts the torn bytes off first
    await spool.append([frame(3)])
    write.mockRestore()
    truncate.mockRestore()
    const batch = (await spool.read(100, 1e6))!
    expect(payloads(batch.records)).toEqual([1, 3])
    expect(spool.damagedBytes).toBe(0)
    await spool.close()
  })

  it('goes on writing into the current segment when the next cannot be made, and starts it when it can', async () => {
    const dir = tempDir()
    const spool = await Spool.open(dir, { maxBytes: 1e9, segmentBytes: 1 })
    // the next segment's name is taken by a directory: opening it fails (EISDIR)
    const next = join(dir, `${'2'.padStart(20, '0')}.seg`)
    mkdirSync(next)
    await spool.append([frame(1)])
    await spool.append([frame(2)])
    // an append is answered before the spool tries the next segment: let that try fail before the way is cleared
    await spool.settled()
    expect(spool.failing).toBeNull()
    expect(payloads((await spool.read(100, 1e6))!.records)).toEqual([1, 2])
    rmdirSync(next)
    await spool.append([frame(3)]) // into segment 1 still, and then segment 2 is started
    await spool.append([frame(4)]) // into segment 2
    await spool.close()
    const reopened = await Spool.open(dir, { maxBytes: 1e9 })
    const first = (await reopened.read(100, 1e6))!
    expect([first.segment, payloads(first.records)]).toEqual([1, [1, 2, 3]])
    await reopened.commit(first)
    const second = (await reopened.read(100, 1e6))!
    expect([second.segment, payloads(second.records)]).toEqual([2, [4]])
    await reopened.close()
  })

  it('sets a damaged checkpoint aside and loads the spool again from its first segment', async () => {
    for (const [text, reason] of [
      ['{"spoolId":', /^not JSON/],
      ['{"spoolId":"s","loaded":{"segment":"1"},"pending":null}', /^no loaded position$/],
    ] as const) {
      const dir = tempDir()
      const spool = await Spool.open(dir, { maxBytes: 1e9 })
      await spool.append([frame(1), frame(2)])
      await spool.commit((await spool.read(100, 1e6))!)
      await spool.append([frame(3)])
      await spool.close()
      writeFileSync(join(dir, 'checkpoint.json'), text)
      const reopened = await Spool.open(dir, { maxBytes: 1e9 })
      const aside = reopened.checkpointSetAside!
      expect(aside.reason).toMatch(reason)
      expect(readFileSync(aside.path, 'utf8')).toBe(text) // kept, for whoever looks into it
      expect(payloads((await reopened.read(100, 1e6))!.records)).toEqual([1, 2, 3])
      await reopened.close()
      // the fresh checkpoint is written at once: the next open finds it whole
      const again = await Spool.open(dir, { maxBytes: 1e9 })
      expect(again.checkpointSetAside).toBeUndefined()
      await again.close()
    }
  })

  it("sets a record the disk damaged aside, keeps the whole ones after it, and cuts a crash's torn tail", async () => {
    // the damage: a byte of a record's body, or its length; a torn tail after it, or none
    for (const [damage, torn] of [
      [(seg: Buffer, at: number) => (seg[at + 12]! ^= 0xff), false],
      [(seg: Buffer, at: number) => seg.writeUInt32LE(0xffffff00, at), false],
      [(seg: Buffer, at: number) => (seg[at + 12]! ^= 0xff), true],
    ] as const) {
      const dir = tempDir()
      const spool = await Spool.open(dir, { maxBytes: 1e9 })
      for (const i of [1, 2, 3, 4, 5]) await spool.append([frame(i)])
      await spool.close()
      const path = join(dir, segments(dir)[0]!)
      const seg = readFileSync(path)
      const third = frame(1).length + frame(2).length
      damage(seg, third)
      writeFileSync(path, torn ? Buffer.concat([seg, frame(6).subarray(0, 9)]) : seg)
      const reopened = await Spool.open(dir, { maxBytes: 1e9 })
      expect(statSync(path).size).toBe(seg.length) // the torn tail cut, the damage and what follows it kept
      const told: number[] = []
      reopened.onDamage((d) => told.push(d.offset))
      const before = (await reopened.read(100, 1e6))!
      expect(payloads(before.records)).toEqual([1, 2])
      await reopened.commit(before)
      const after = (await reopened.read(100, 1e6))!
      expect(payloads(after.records)).toEqual([4, 5])
      expect(told).toEqual([third])
      expect(reopened.damagedBytes).toBe(frame(3).length)
      expect(readFileSync(join(dir, `damaged-${segments(dir)[0]!}-${third}`))).toEqual(
        seg.subarray(third, third + frame(3).length),
      )
      await reopened.close()
    }
  })

  it('refuses appends past maxBytes with SpoolFullError', async () => {
    const spool = await Spool.open(tempDir(), { maxBytes: frame(1).length * 2 })
    await spool.append([frame(1), frame(2)])
    await expect(spool.append([frame(3)])).rejects.toBeInstanceOf(SpoolFullError)
    await spool.close()
  })
})
