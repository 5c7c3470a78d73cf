import type { ConsumerConfig } from 'kafkajs'
import type { IngesterConfig } from './config'

/** The group consumer's options, from the ingester's Kafka configuration. */
export function consumerOptions(kafka: IngesterConfig['kafka']): ConsumerConfig {
  return {
    groupId: kafka.groupId,
    maxWaitTimeInMs: kafka.maxWaitMs,
    minBytes: kafka.minBytes,
    maxBytesPerPartition: kafka.maxBytesPerPartition,
    maxBytes: kafka.maxBytesPerPartition * 4,
    sessionTimeout: kafka.sessionTimeoutMs,
    heartbeatInterval: Math.floor(kafka.sessionTimeoutMs / 10),
    allowAutoTopicCreation: false,
    // kafkajs would restart a crashed consumer itself, and that restart can race the ingester's: a consumer
    // started by kafkajs's timer while the ingester replaced it joins the group beside its replacement
    retry: { retries: 5, restartOnFailure: async () => false },
  }
}
