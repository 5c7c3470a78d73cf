/** The consumer's state, as /readyz says it (with `storage` beside it: readiness). */
export interface HealthStatus {
  status: 'ok' | 'degraded'
  reason?: string
}

/** How long a replaced consumer keeps the ingester `degraded` when no batch has been loaded since. */
export const TROUBLE_WINDOW_MS = 60_000

/**
 * What the ingester's /readyz says once it has joined its group: `degraded`, with the reason, while inserts into
 * ClickHouse fail (a batch is retried, its partition paused), or while the consumer has had to be replaced (a
 * crash kafkajs would not retry, a failed restart, a stall) within TROUBLE_WINDOW_MS and no batch has been loaded
 * since. A consumer that crashes on every fetch (a refused ACL, a batch it cannot read) loads nothing, which its
 * log alone said. One crash with nothing to read after it clears once the replacement is in place and nothing is
 * waiting (caughtUp), or after that window.
 */
export class IngesterHealth {
  /** the last time the consumer had to be replaced, and why; `seq` orders it among the batches */
  private trouble: { at: number; seq: number; reason: string } | null = null
  /** the order of what happened: a replacement and a batch within one millisecond are told apart */
  private seq = 0
  /** `seq` of the last batch loaded and committed */
  private lastBatch = 0
  /** ClickHouse's error, while a batch's insert is failing and retried */
  private insertError: string | null = null

  constructor(private readonly now: () => number = Date.now) {}

  consumerReplaced(reason: string): void {
    this.trouble = { at: this.now(), seq: ++this.seq, reason }
  }

  batchDone(): void {
    this.lastBatch = ++this.seq
  }

  /** The consumer is in place and the group has committed all the topic holds: nothing waits to fail on. */
  caughtUp(): void {
    this.lastBatch = ++this.seq
  }

  insertFailed(message: string): void {
    this.insertError = message
  }

  insertDone(): void {
    this.insertError = null
  }

  status(): HealthStatus {
    if (this.insertError !== null)
      return {
        status: 'degraded',
        reason: `inserts into ClickHouse are failing, and retried: ${this.insertError}`,
      }
    const t = this.trouble
    if (t && this.now() - t.at < TROUBLE_WINDOW_MS && this.lastBatch < t.seq)
      return { status: 'degraded', reason: `the Kafka consumer was replaced: ${t.reason}` }
    return { status: 'ok' }
  }
}

/**
 * What /readyz says: the consumer's state, and whether ClickHouse answered a ping. A ClickHouse that does not
 * answer while no insert is failing (between batches, or with nothing to load) makes an `ok` ingester
 * `degraded`: the records wait in Kafka meanwhile. A failing insert's own reason is the more telling one.
 */
export const readiness = (health: HealthStatus, reachable: boolean) => ({
  ready: true,
  ...(health.status === 'ok' && !reachable
    ? { status: 'degraded', reason: 'ClickHouse does not answer a ping' }
    : health),
  storage: reachable ? 'reachable' : 'unreachable',
})
