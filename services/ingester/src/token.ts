import { createHash } from 'node:crypto'
import type { LoadRecord } from '@touchpoint/loader'

/**
 * A batch's insert token: its topic, partition and offsets, which a batch read again after a crash between insert
 * and commit has too (ClickHouse drops its insert), and a digest of what it holds. Offsets alone do not name
 * records: a topic deleted and made again, or the same name on another cluster, starts at 0 again, and its first
 * batches would carry the tokens of batches loaded before, which ClickHouse keeps (its deduplication window) and
 * would silently drop them for. An event's or refusal's id names it; an identity link (no id) is named by its row.
 */
export function batchToken(
  topic: string,
  partition: number,
  first: string,
  last: string,
  records: readonly LoadRecord[],
): string {
  const digest = createHash('sha1')
  for (const r of records) digest.update(r.id || r.payload).update('\n')
  return `${topic}:${partition}:${first}-${last}:${digest.digest('hex').slice(0, 16)}`
}
