import { readsFrom } from '@touchpoint/kafka'
import type { Admin } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { type Expired, ExpiryCheck, expiredRange } from './expired'

/** What the brokers say of partition 0: the group's committed offset and where the partition starts. */
function brokers(state: { committed: bigint; low: bigint }) {
  let asked = 0
  const admin = {
    fetchOffsets: async () => [
      { topic: 't', partitions: [{ partition: 0, offset: String(state.committed) }] },
    ],
    fetchTopicOffsets: async () => {
      asked++
      return [{ partition: 0, offset: '0', low: String(state.low), high: '1000' }]
    },
  } as unknown as Admin
  return { admin: () => admin, asked: () => asked }
}

describe('expiredRange', () => {
  it('is what lies between the committed offset and where the partition, or the batch, now starts', () => {
    expect(expiredRange(100n, 250n, 250n)).toEqual([100n, 250n])
    // retention deleted on after the fetch: only what the batch skipped is known lost
    expect(expiredRange(100n, 300n, 250n)).toEqual([100n, 250n])
    // a gap among offsets the brokers still hold (compaction, transaction markers) is no loss
    expect(expiredRange(100n, 80n, 250n)).toBeNull()
    expect(expiredRange(250n, 250n, 250n)).toBeNull()
    // no offset committed: nothing says what the group would have read
    expect(expiredRange(-1n, 250n, 250n)).toBeNull()
  })

  it('leaves a group nothing to read on a partition retention emptied past its offset', () => {
    expect(readsFrom(100n, 250n)).toBe(250n)
    expect(readsFrom(-1n, 250n)).toBe(250n)
    expect(readsFrom(300n, 250n)).toBe(300n)
  })
})

describe('ExpiryCheck', () => {
  it("reports a range once, from where the group was seen, after kafkajs's reset overwrote it", async () => {
    const state = { committed: 100n, low: 0n }
    const { admin, asked } = brokers(state)
    const reports: Expired[] = []
    const check = new ExpiryCheck(admin, 't', 'g', (e) => reports.push(e))
    check.saw([{ partition: 0, offset: '100' }])
    // retention deletes up to 250, and kafkajs commits "the earliest" (-2) before the batch at 250 is fetched
    state.low = 250n
    state.committed = -2n
    await check.beforeBatch(0, 250n)
    expect(reports).toEqual([{ partition: 0, from: 100n, to: 250n }])
    // the same batch read again (a crash before its commit): nothing more
    await check.beforeBatch(0, 250n)
    expect(reports).toHaveLength(1)
    // batches that follow on from the last commit ask the brokers nothing
    check.committed(0, 400n)
    state.committed = 400n
    const before = asked()
    await check.beforeBatch(0, 400n)
    expect(asked()).toBe(before)
    expect(reports).toHaveLength(1)
  })

  it('takes a batch past its own last commit for another ingester having read on, not a loss', async () => {
    const state = { committed: 100n, low: 0n }
    const { admin } = brokers(state)
    const reports: Expired[] = []
    const check = new ExpiryCheck(admin, 't', 'g', (e) => reports.push(e))
    check.committed(0, 100n)
    // another ingester of the group loaded 100–700, and retention has since deleted up to 500
    state.committed = 700n
    state.low = 500n
    await check.beforeBatch(0, 700n)
    expect(reports).toEqual([])
  })
})

describe('ExpiryCheck, with brokers slow to answer', () => {
  it('lets the batch go on after its wait, and never takes back an offset the group was seen past', async () => {
    const never = {
      fetchOffsets: () => new Promise(() => {}),
      fetchTopicOffsets: () => new Promise(() => {}),
    } as unknown as Admin
    const check = new ExpiryCheck(
      () => never,
      't',
      'g',
      () => {},
    )
    await expect(check.beforeBatch(0, 10n, 50)).rejects.toThrow('no answer within 0.05 s')

    // a late answer saying 100, after this process committed up to 500, then retention deleting up to 300
    const state = { committed: 100n, low: 300n }
    const { admin } = brokers(state)
    const reports: Expired[] = []
    const later = new ExpiryCheck(admin, 't', 'g', (e) => reports.push(e))
    later.committed(0, 500n)
    later.saw([{ partition: 0, offset: '100' }])
    await later.beforeBatch(0, 600n)
    expect(reports).toEqual([])
  })
})
