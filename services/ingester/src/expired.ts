import type { Admin } from 'kafkajs'
import type { Logger } from 'pino'
import type { IngesterMetrics } from './metrics'

/** Offsets `from` to `to` (exclusive) of a partition: records the brokers deleted before the group read them. */
export interface Expired {
  partition: number
  from: bigint
  to: bigint
}

/**
 * The records a group lost on one partition: from its committed offset up to where the partition now starts, or up
 * to the first record fetched, if that is before it (retention deleting on meanwhile). None when the group has no
 * offset committed (nothing says what it would have read), or had committed where the partition starts or past it:
 * a gap among offsets the brokers still hold is a compacted or transactional topic's, not a loss.
 */
export function expiredRange(
  committed: bigint,
  logStart: bigint,
  firstFetched: bigint,
): [bigint, bigint] | null {
  const end = firstFetched < logStart ? firstFetched : logStart
  return committed >= 0n && end > committed ? [committed, end] : null
}

/**
 * Tells, before a batch is loaded, whether records before it were deleted unread: a partition's retention
 * (`retention.ms`, `retention.bytes`) ran out while the ingesters were down or behind, and kafkajs, finding its
 * committed offset gone, went on from where the partition starts. Those events are lost; `onExpired` is told once.
 *
 * kafkajs commits "the earliest" over the offset it found gone before the batch is fetched, so the brokers no longer
 * say where the group was: this keeps the furthest offset the group was seen to commit (at the join, at each lag
 * refresh, at each of this process's commits). A batch that starts where this process last committed needs no
 * question; the first batch of a partition, and one that starts past that (another ingester read the partition
 * meanwhile, or a gap), asks the brokers for the group's offset and where the partition starts.
 */
export class ExpiryCheck {
  /** partition → the offset after the last batch this process committed */
  private readonly next = new Map<number, bigint>()
  /**
   * partition → the furthest offset the group was seen to have committed (kafkajs's reset, a negative one, aside):
   * an answer that comes late, or a batch committed again after a re-read, does not take it back, so a range
   * loaded since is never reported lost
   */
  private readonly known = new Map<number, bigint>()
  /** partition → the end of the last range reported, so that a batch read again reports nothing twice */
  private readonly reported = new Map<number, bigint>()

  constructor(
    private readonly admin: () => Admin,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly onExpired: (expired: Expired) => void,
  ) {}

  /** The group's committed offsets, as the brokers gave them. */
  saw(partitions: ReadonlyArray<{ partition: number; offset: string }>): void {
    for (const { partition, offset } of partitions) this.see(partition, BigInt(offset))
  }

  private see(partition: number, offset: bigint): void {
    if (offset > (this.known.get(partition) ?? -1n)) this.known.set(partition, offset)
  }

  /**
   * Before a batch of `partition` whose first record is at `first`: asks the brokers, when it must. A batch waits
   * for their answer at most `waitMs` (the ingester's client retries for minutes on brokers that are away); the
   * answer is still read when it comes, later.
   */
  async beforeBatch(partition: number, first: bigint, waitMs = 5000): Promise<void> {
    if (this.next.get(partition) === first) return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${waitMs / 1000} s`)), waitMs)
    })
    const asking = this.ask(partition, first)
    asking.catch(() => {}) // an answer after the wait that fails is nobody's to hear
    try {
      await Promise.race([asking, late])
    } finally {
      clearTimeout(timer)
    }
  }

  private async ask(partition: number, first: bigint): Promise<void> {
    const [committed, ends] = await Promise.all([
      this.admin().fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
      this.admin().fetchTopicOffsets(this.topic),
    ])
    this.saw(committed[0]?.partitions ?? [])
    const low = ends.find((p) => p.partition === partition)?.low
    if (low === undefined) return
    const range = expiredRange(this.known.get(partition) ?? -1n, BigInt(low), first)
    if (!range) return
    const done = this.reported.get(partition) ?? -1n
    const from = range[0] > done ? range[0] : done
    if (range[1] <= from) return
    this.reported.set(partition, range[1])
    this.onExpired({ partition, from, to: range[1] })
  }

  /** After `partition`'s batch was committed: `next` is where its next batch should start. */
  committed(partition: number, next: bigint): void {
    this.next.set(partition, next)
    this.see(partition, next)
  }
}

/**
 * What the ingester does with records the brokers deleted before they were loaded: nothing brings them back, so it
 * says so loudly, in its log and in touchpoint_ingester_messages_expired_total.
 */
export const reportExpired =
  (topic: string, metrics: IngesterMetrics, log: Logger) =>
  ({ partition, from, to }: Expired): void => {
    const count = Number(to - from)
    metrics.messagesExpired.inc({}, count)
    log.error(
      { partition, offsets: `${from}-${to - 1n}`, count },
      `${count} messages were deleted from partition ${partition} of ${topic} before the ingester loaded them: ` +
        "the topic's retention (retention.ms, retention.bytes) ran out while the ingesters were down or behind. " +
        'Those events are lost.',
    )
  }
