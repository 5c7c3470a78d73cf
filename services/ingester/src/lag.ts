import { readsFrom } from '@touchpoint/kafka'
import type { Admin } from 'kafkajs'

export interface GroupLag {
  /** messages each partition holds past where the group reads next */
  byPartition: Map<number, number>
  total: number
  /** the group's committed offsets, as the broker gave them */
  committed: { partition: number; offset: string }[]
}

/**
 * How far `groupId` is behind on `topic`: the broker's high watermarks against the group's committed offsets. A
 * partition counts from where the group reads next (readsFrom), so one whose records retention deleted unread is
 * not behind by them.
 */
export async function groupLag(
  admin: Admin,
  { topic, groupId }: { topic: string; groupId: string },
): Promise<GroupLag> {
  const [ends, offsets] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ])
  const committed = offsets[0]?.partitions ?? []
  const done = new Map(committed.map((p) => [p.partition, BigInt(p.offset)]))
  const byPartition = new Map<number, number>()
  let total = 0
  for (const p of ends) {
    const behind = Number(BigInt(p.high) - readsFrom(done.get(p.partition) ?? -1n, BigInt(p.low)))
    byPartition.set(p.partition, behind)
    total += behind
  }
  return { byPartition, total, committed }
}
