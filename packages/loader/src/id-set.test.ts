import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { IdSet } from './id-set'

describe('IdSet', () => {
  it('holds exactly the UUIDs added, through many doublings of its table', () => {
    const set = new IdSet()
    const added = Array.from({ length: 50_000 }, () => randomUUID())
    for (const id of added) set.add(id)
    expect(set.size).toBe(added.length)
    expect(added.every((id) => set.has(id))).toBe(true)
    // ids never added are not found: nothing is a near-miss of a stored one
    const others = Array.from({ length: 50_000 }, () => randomUUID())
    expect(others.filter((id) => set.has(id))).toEqual([])
    // adding again changes nothing
    for (const id of added.slice(0, 1000)) set.add(id)
    expect(set.size).toBe(added.length)
  })

  it('tells apart UUIDs that share the bits its slots are chosen by', () => {
    const set = new IdSet()
    // same first and last words, so the same slot; only the middle words differ
    const ids = Array.from(
      { length: 2_000 },
      (_, i) => `0000abcd-${i.toString(16).padStart(4, '0')}-4000-8000-00000000ffff`,
    )
    for (const id of ids.slice(0, 1_000)) set.add(id)
    expect(ids.map((id) => set.has(id))).toEqual(ids.map((_, i) => i < 1_000))
  })

  it('reads a UUID as the value it spells, as ClickHouse does: case does not make another id', () => {
    const set = new IdSet()
    set.add('0d9b1a36-5c3e-4f7a-9b2e-7a1c2d3e4f5a')
    expect(set.has('0D9B1A36-5C3E-4F7A-9B2E-7A1C2D3E4F5A')).toBe(true)
    expect(set.has('0d9b1a36-5c3e-4f7a-9b2e-7a1c2d3e4f5b')).toBe(false)
  })

  it('keeps other ids as they are, the all-zero UUID among them', () => {
    const set = new IdSet()
    const odd = [
      '',
      'msg-1',
      '00000000-0000-0000-0000-000000000000',
      '0d9b1a36_5c3e_4f7a_9b2e_7a1c2d3e4f5a',
      '0d9b1a36-5c3e-4f7a-9b2e-7a1c2d3e4f5g',
    ]
    for (const id of odd) set.add(id)
    expect(set.size).toBe(odd.length)
    expect(odd.every((id) => set.has(id))).toBe(true)
    expect(set.has('msg-2')).toBe(false)
    // the all-zero UUID does not read as an empty slot of the table
    expect(set.has('00000000-0000-0000-0000-000000000001')).toBe(false)
  })
})
