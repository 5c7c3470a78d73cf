import type { LoadRecord } from '@touchpoint/loader'

/** A record on its way to the loader, with the key that keeps one person's records in order (Kafka). */
export interface OutboundRecord extends LoadRecord {
  key: string
}

/** Where the collector hands accepted records: append() resolves only once they are durable. */
export interface Sink {
  append(records: OutboundRecord[]): Promise<void>
  /** true when it takes event inputs (RECORD_KIND.eventInput) and builds their rows itself */
  readonly buildsRows?: boolean
  /** 'ok'; 'degraded' while storage is unreachable but events are still accepted; 'down' when they are not */
  status(): 'ok' | 'degraded' | 'down'
  /**
   * Resolves true once everything acknowledged before the call is stored and queryable (false after `timeoutMs`),
   * where the sink loads storage itself (embedded); absent where others load it (Kafka's ingesters).
   */
  stored?(timeoutMs: number): Promise<boolean>
  close(): Promise<void>
}
