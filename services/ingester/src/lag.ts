import { partitionsBehind } from '@touchpoint/kafka'
import type { Admin } from 'kafkajs'

export interface GroupLag {
  /** messages each partition holds past where the group reads next */
  byPartition: Map<number, number>
  total: number
  /** the group's committed offsets, as the broker gave them */
  committed: { partition: number; offset: string }[]
}

/**
 * How far `groupId` is behind on `topic` now: the broker's high watermarks against the group's committed offsets
 * (partitionsBehind, which counts a partition whose records retention deleted unread from where it starts).
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
  const byPartition = partitionsBehind(ends, committed)
  let total = 0
  for (const behind of byPartition.values()) total += behind
  return { byPartition, total, committed }
}
