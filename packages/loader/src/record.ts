/**
 * The unit that travels from the collector to the loader, through the spool or through Kafka: a kind, the
 * event id (for dedupe; empty for other kinds) and the row, already serialised as one JSONEachRow line.
 */
export const RECORD_KIND = {
  /** a row of `events` */
  event: 1,
  /** a row of `events_rejected` */
  rejected: 2,
  /** a row of `identities` */
  identity: 3,
  /**
   * An accepted event whose row is not built yet: `{"id", "event", "facts"}` as JSON (the embedded collector's
   * spool only). Its `events` row is built after the acknowledgement, off the request path: the loader takes
   * these only with a row builder (BuildRows), which the embedded collector runs in a worker thread.
   */
  eventInput: 4,
} as const

export type RecordKind = (typeof RECORD_KIND)[keyof typeof RECORD_KIND]

export interface LoadRecord {
  kind: RecordKind
  /** event_id of an event row, rejected_id of a rejected one (both deduplicated); '' for identity links */
  id: string
  /** the row as one line of JSON */
  payload: string
}

/** The kinds that travel to a loader (through Kafka too); an event input does not. */
export function isRecordKind(n: number): n is RecordKind {
  return n === RECORD_KIND.event || n === RECORD_KIND.rejected || n === RECORD_KIND.identity
}
