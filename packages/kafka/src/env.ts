import { z } from 'zod'
import type { TopicSpec } from './client'

/** `host:port,host:port` → ['host:port', 'host:port'] */
export const brokerList = z
  .string({ error: 'is required (host:port, comma-separated)' })
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0, { error: 'must name at least one broker (host:port, comma-separated)' })

/**
 * The topic variables, one zod shape spread into the collector's and the ingester's config modules, so that
 * both agree on the topic, how it is created and the ingesters' consumer group (which the collector asks how far
 * it has stored; the env is still read only in those modules).
 */
export const topicEnv = {
  KAFKA_TOPIC: z.string().default('touchpoint.events'),
  KAFKA_PARTITIONS: z.coerce.number().int().positive().default(6),
  /** Replicas of each topic created; without it, the brokers' default.replication.factor (managed clusters: 3). */
  KAFKA_REPLICATION: z.coerce.number().int().positive().optional(),
  KAFKA_GROUP_ID: z.string().default('touchpoint-ingester'),
}

/** CreateTopics' replication factor for "the brokers' default.replication.factor" (Kafka 2.4 and later). */
export const BROKER_DEFAULT = -1

export function topicSpec(e: {
  KAFKA_TOPIC: string
  KAFKA_PARTITIONS: number
  KAFKA_REPLICATION?: number | undefined
}): TopicSpec {
  return {
    topic: e.KAFKA_TOPIC,
    partitions: e.KAFKA_PARTITIONS,
    replication: e.KAFKA_REPLICATION ?? BROKER_DEFAULT,
  }
}
