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
  /** why it is not 'ok', where it can tell (Kafka's last failure), for /readyz */
  reason?(): string | undefined
  /** where the sink loads storage itself (embedded), or can tell when those that do have (Kafka) */
  stored?: Stored
  close(): Promise<void>
}

/** Resolves true once everything acknowledged before the call is stored and queryable, false after `timeoutMs`. */
export type Stored = (timeoutMs: number) => Promise<boolean>
