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
} as const

export type RecordKind = (typeof RECORD_KIND)[keyof typeof RECORD_KIND]

export interface LoadRecord {
  kind: RecordKind
  /** event_id of an event row, rejected_id of a rejected one (both deduplicated); '' for identity links */
  id: string
  /** the row as one line of JSON */
  payload: string
}

export function isRecordKind(n: number): n is RecordKind {
  return n === RECORD_KIND.event || n === RECORD_KIND.rejected || n === RECORD_KIND.identity
}
