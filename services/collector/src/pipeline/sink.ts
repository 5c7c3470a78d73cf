import type { LoadRecord } from '@touchpoint/loader'
import { TpError } from '../errors'
import { SpoolFullError, SpoolWriteError } from '../spool/types'

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

/**
 * `sink.append`, with a spool in trouble said as the ingest routes answer it: 503 with Retry-After, nothing of the
 * records kept (TP_ERR_SPOOL_FULL, TP_ERR_SPOOL_WRITE), so that the sender sends them again.
 */
export const durableAppend = (sink: Sink) => async (records: OutboundRecord[]) => {
  try {
    await sink.append(records)
  } catch (err) {
    if (err instanceof SpoolFullError)
      throw new TpError('TP_ERR_SPOOL_FULL', undefined, undefined, undefined, { 'retry-after': '5' })
    if (err instanceof SpoolWriteError)
      throw new TpError(
        'TP_ERR_SPOOL_WRITE',
        `The collector could not write the events to its disk (${err.code}); retry later`,
        undefined,
        undefined,
        { 'retry-after': '10' },
      )
    throw err
  }
}
