import { isRecordKind, type LoadRecord, RECORD_KIND } from '@touchpoint/loader'
import { isPlainObject } from '@touchpoint/schema'
import type { IHeaders, KafkaMessage, Message } from 'kafkajs'

/**
 * A record on a Kafka topic: the value is the row's JSON line; headers carry the kind and the dedupe id; the key
 * is project and person, so one person's records stay in one partition, in order.
 */
export function toMessage(record: LoadRecord & { key: string }): Message {
  return { key: record.key, value: record.payload, headers: { kind: String(record.kind), id: record.id } }
}

export type Decoded = { ok: true; record: LoadRecord } | { ok: false; error: string }

const header = (headers: IHeaders | undefined, name: string) => {
  const v = headers?.[name]
  return v === undefined ? undefined : Array.isArray(v) ? v[0]?.toString() : v.toString()
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Checks a consumed message; anything that is not a record we wrote goes to the dead-letter topic. */
export function fromMessage(msg: KafkaMessage): Decoded {
  const kind = Number(header(msg.headers, 'kind'))
  if (!isRecordKind(kind)) return { ok: false, error: 'missing or unknown kind header' }
  const id = header(msg.headers, 'id') ?? ''
  if (kind === RECORD_KIND.event && !UUID.test(id))
    return { ok: false, error: 'event without a UUID id header' }
  const payload = msg.value?.toString('utf8') ?? ''
  let row: unknown
  try {
    row = JSON.parse(payload)
  } catch {
    return { ok: false, error: 'value is not JSON' }
  }
  if (!isPlainObject(row)) return { ok: false, error: 'value is not a JSON object' }
  return { ok: true, record: { kind, id, payload } }
}
