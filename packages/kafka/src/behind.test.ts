import { describe, expect, it } from 'vitest'
import { partitionsBehind } from './client'

describe('partitionsBehind', () => {
  const ends = [
    { partition: 0, low: '0', high: '100' },
    { partition: 1, low: '250', high: '400' },
    { partition: 2, low: '0', high: '0' },
  ]

  it('counts each partition from the committed offset to its high watermark', () => {
    const committed = [
      { partition: 0, offset: '60' },
      { partition: 1, offset: '400' },
      { partition: 2, offset: '-1' },
    ]
    expect(partitionsBehind(ends, committed)).toEqual(
      new Map([
        [0, 40],
        [1, 0],
        [2, 0],
      ]),
    )
  })

  it('counts a partition with no commit, or one retention deleted past, from where it starts', () => {
    // partition 1's commit at 100 is below its start, 250: records 100–249 are gone, 150 are left to read
    expect(partitionsBehind(ends, [{ partition: 1, offset: '100' }])).toEqual(
      new Map([
        [0, 100],
        [1, 150],
        [2, 0],
      ]),
    )
  })
})
