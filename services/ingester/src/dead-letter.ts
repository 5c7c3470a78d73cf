import { sendInParts } from '@touchpoint/kafka'
import type { KafkaMessage, Producer } from 'kafkajs'
import type { Logger } from 'pino'
import type { IngesterMetrics } from './metrics'

/** A message that cannot be loaded: one the ingester cannot decode, or a row ClickHouse refused. */
export interface DeadLetter {
  message: KafkaMessage
  reason: string
}

/**
 * Sends `dead`, read from `topic`'s `partition`, to the dead-letter topic as they were, with the reason and where
 * each came from in headers; in parts where the brokers refuse them for their size (a batch of them can be
 * megabytes).
 */
export async function sendDeadLetters(
  {
    producer,
    dlqTopic,
    metrics,
    log,
  }: { producer: Producer; dlqTopic: string; metrics: IngesterMetrics; log: Logger },
  topic: string,
  partition: number,
  dead: DeadLetter[],
): Promise<void> {
  const messages = dead.map(({ message, reason }) => ({
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      'dlq-reason': reason,
      'dlq-source': `${topic}:${partition}:${message.offset}`,
    },
  }))
  await sendInParts(messages, (part) => producer.send({ topic: dlqTopic, acks: -1, messages: part }))
  for (const { reason } of dead) metrics.deadLettered.inc({ reason })
  log.warn({ count: dead.length, partition }, 'messages sent to the dead-letter topic')
}
