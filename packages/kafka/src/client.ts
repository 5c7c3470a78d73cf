import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs'
import type { KafkaSecurity } from './security'

export interface KafkaConnection extends KafkaSecurity {
  brokers: string[]
  clientId: string
}

/** Retries short enough that an unreachable broker is noticed within seconds (the collector then spools). */
const RETRY = { initialRetryTime: 100, retries: 3, maxRetryTime: 1000 }

export function createKafka(
  { brokers, clientId, ssl, sasl }: KafkaConnection,
  extra: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    brokers,
    clientId,
    ssl,
    sasl,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: RETRY,
    ...extra,
  })
}

export interface TopicSpec {
  topic: string
  partitions: number
  /** replicas; -1, the brokers' default.replication.factor */
  replication: number
}

/** Creates the topics that do not exist yet (idempotent; both services call it at start). */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics())
  const missing = specs.filter((s) => !existing.has(s.topic))
  if (missing.length === 0) return
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replication,
      })),
    })
  } catch (err) {
    // another collector or ingester created it first
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err
  }
}

/**
 * Resolves true once `groupId` has committed past every message `topic` held at the call (its ingesters commit
 * only what they have stored), false after `timeoutMs`: what was acknowledged before is then queryable. A
 * partition the group never committed counts from its low watermark, so one with nothing in it is caught up.
 */
export async function consumedPast(
  admin: Admin,
  topic: string,
  groupId: string,
  timeoutMs: number,
  pollMs = 100,
): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(topic)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
    const at = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? [])
    const caughtUp = ends.every((p) => {
      const offset = at.get(p.partition) ?? -1n
      return BigInt(p.high) <= (offset < 0n ? BigInt(p.low) : offset)
    })
    if (caughtUp) return true
    if (Date.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, pollMs))
  }
}
