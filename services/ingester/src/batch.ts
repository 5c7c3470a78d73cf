import { fromMessage } from '@touchpoint/kafka'
import type { LoadRecord } from '@touchpoint/loader'
import type { Batch, KafkaMessage } from 'kafkajs'
import type { DeadLetter } from './dead-letter'
import { batchToken } from './token'

/** A decoded record and the message it came from (to dead-letter it as it was). */
export interface Entry {
  record: LoadRecord
  message: KafkaMessage
}

/**
 * A fetched batch of a partition, decoded: the records to load, the messages that do not decode (dead letters, with
 * why), and the batch's insert token (batchToken: its place in the topic and a digest of its records).
 */
export function decodeBatch(batch: Batch): { entries: Entry[]; dead: DeadLetter[]; token: string } {
  const entries: Entry[] = []
  const dead: DeadLetter[] = []
  for (const message of batch.messages) {
    const decoded = fromMessage(message)
    if (decoded.ok) entries.push({ record: decoded.record, message })
    else dead.push({ message, reason: decoded.error })
  }
  const token = batchToken(
    batch.topic,
    batch.partition,
    batch.firstOffset()!,
    batch.lastOffset(),
    entries.map((e) => e.record),
  )
  return { entries, dead, token }
}
