import { describe, expect, it } from 'vitest'
import { loadIsolating, MAX_REFUSED_PER_BATCH } from './isolate'

/** A load that refuses any part holding a bad item as ClickHouse would (its error's `type`), and records what it took. */
function table(bad: (n: number) => boolean, type = 'CANNOT_PARSE_DATETIME') {
  const loaded: Array<{ items: number[]; token: string }> = []
  const load = async (items: readonly number[], token: string) => {
    if (items.some(bad)) throw Object.assign(new Error(`row refused (${type})`), { type })
    loaded.push({ items: [...items], token })
  }
  return { loaded, load }
}

describe('loadIsolating', () => {
  it('loads everything at once when nothing is refused', async () => {
    const t = table(() => false)
    expect(await loadIsolating([1, 2, 3], 'b1', t.load)).toEqual([])
    expect(t.loaded).toEqual([{ items: [1, 2, 3], token: 'b1' }])
  })

  it('halves a refused batch until each bad item stands alone, every other item loaded once', async () => {
    const t = table((n) => n === 3 || n === 6)
    const refused = await loadIsolating([1, 2, 3, 4, 5, 6, 7, 8], 'b1', t.load)
    expect(refused.map((r) => r.item)).toEqual([3, 6])
    expect(refused[0]!.reason).toMatch(/row refused/)
    expect(t.loaded.flatMap((l) => l.items).sort()).toEqual([1, 2, 4, 5, 7, 8])
    // the same halves under the same tokens on a run again, so ClickHouse drops what had landed
    const again = table((n) => n === 3 || n === 6)
    await loadIsolating([1, 2, 3, 4, 5, 6, 7, 8], 'b1', again.load)
    expect(again.loaded).toEqual(t.loaded)
    expect(new Set(t.loaded.map((l) => l.token)).size).toBe(t.loaded.length)
  })

  it('throws, isolating nothing, when ClickHouse fails for another reason than a row', async () => {
    const t = table(() => true, 'MEMORY_LIMIT_EXCEEDED')
    await expect(loadIsolating([1, 2, 3], 'b1', t.load)).rejects.toThrow(/MEMORY_LIMIT_EXCEEDED/)
    const down = async () => {
      throw new Error('connect ECONNREFUSED')
    }
    await expect(loadIsolating([1], 'b1', down)).rejects.toThrow(/ECONNREFUSED/)
    // a read that failed on the disk or the wire says nothing of the rows, though its name starts as a row's does
    for (const io of [
      'CANNOT_READ_FROM_FILE_DESCRIPTOR',
      'CANNOT_READ_FROM_SOCKET',
      'CANNOT_READ_FROM_ISTREAM',
    ]) {
      const failing = table(() => true, io)
      await expect(loadIsolating([1, 2], 'b1', failing.load)).rejects.toThrow(io)
    }
    const truncated = table((n) => n === 2, 'CANNOT_READ_ALL_DATA')
    expect((await loadIsolating([1, 2], 'b1', truncated.load)).map((r) => r.item)).toEqual([2])
  })

  it('throws when more rows are refused than a batch could hold bad: the table takes none', async () => {
    const t = table(() => true)
    const items = Array.from({ length: 400 }, (_, i) => i)
    await expect(loadIsolating(items, 'b1', t.load)).rejects.toThrow(/row refused/)
    const few = table((n) => n < MAX_REFUSED_PER_BATCH)
    expect(await loadIsolating(items, 'b1', few.load)).toHaveLength(MAX_REFUSED_PER_BATCH)
  })
})
