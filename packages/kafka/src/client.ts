import kafkajs, { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs'
import { registerCompressionCodecs } from './compression'
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
  // a batch a broker stored compressed with Snappy, LZ4 or ZSTD is read like any other
  registerCompressionCodecs()
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

/**
 * Creates the topics that do not exist yet (idempotent; both services call it at start, and again when a topic has
 * gone under them), and waits for their leaders. Returns the topics it found missing.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], timeoutMs = 30_000): Promise<string[]> {
  const existing = new Set(await admin.listTopics())
  const missing = specs.filter((s) => !existing.has(s.topic))
  if (missing.length === 0) return []
  try {
    await admin.createTopics({
      // its wait gives up on a broker that does not know the topic yet; leadersOf waits instead
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replication,
        // deleted by age, never compacted, whatever the brokers' default (log.cleanup.policy): see topicRisks
        configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
      })),
    })
  } catch (err) {
    // another collector or ingester created it first
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err
  }
  const topics = missing.map((s) => s.topic)
  await leadersOf(admin, topics, timeoutMs)
  return topics
}

/**
 * What in the events topic's settings would lose events before the ingesters load them, for the log: compaction
 * (`cleanup.policy=compact`, which a cluster may set by default) keeps only the last record of each key, and the
 * records are keyed by person. Nothing when the brokers do not let this client read the topic's settings (its ACLs
 * need not allow DescribeConfigs).
 */
export async function topicRisks(admin: Admin, topic: string): Promise<string[]> {
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      // kafkajs is CommonJS, and Node's reading of its exports does not find ConfigResourceTypes by name
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    })
    const policy =
      resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? ''
    if (!policy.includes('compact')) return []
    return [
      `the topic ${topic} has cleanup.policy=${policy}: compaction keeps only each person's last event, so events the ingesters have not loaded yet are lost; set cleanup.policy=delete on it`,
    ]
  } catch {
    return []
  }
}

/** What a broker answers for a topic created a moment before, on a broker that has not learnt of it yet. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'])
const notYet = (err: unknown) => {
  const e = err as { type?: string; originalError?: { type?: string } }
  return NOT_YET.has(e.type ?? e.originalError?.type ?? '')
}

/**
 * Runs `step` again while a broker answers that it does not know a topic yet, for up to `timeoutMs`. On a cluster
 * of several brokers, the others learn of a new topic a moment after the one that created it, and answer "does not
 * host this topic-partition" until then: kafkajs's own wait (createTopics' waitForLeaders) and a consumer's
 * subscribe gave up on that answer, and the first collector or ingester started on a new cluster exited.
 */
export async function onceTopicsKnown<T>(step: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await step()
    } catch (err) {
      if (!notYet(err) || Date.now() > deadline) throw err
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Waits until every partition of `topics` has a leader (onceTopicsKnown says why it may take a moment). */
async function leadersOf(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const metadata = await onceTopicsKnown(
      () => admin.fetchTopicMetadata({ topics }),
      Math.max(0, deadline - Date.now()),
    )
    if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
      return
    if (Date.now() > deadline)
      throw new Error(
        `the topics ${topics.join(', ')} had no leaders ${timeoutMs / 1000} s after they were created`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
}

/**
 * The offset a group reads next on a partition: its committed offset (-1 for none), or where the partition starts
 * when it has none or the brokers deleted past it (retention): those records are gone, nothing is left to read.
 */
export function readsFrom(committed: bigint, logStart: bigint): bigint {
  return committed < logStart ? logStart : committed
}

/**
 * How many messages each partition holds past where a group reads next (readsFrom): its high watermark against
 * the group's committed offset, from the partitions' offsets (`ends`, as fetchTopicOffsets gives them) and the
 * group's (`committed`, as fetchOffsets gives them for the topic). 0 or less: caught up.
 */
export function partitionsBehind(
  ends: { partition: number; high: string; low: string }[],
  committed: { partition: number; offset: string }[],
): Map<number, number> {
  const at = new Map(committed.map((p) => [p.partition, BigInt(p.offset)]))
  return new Map(
    ends.map((p) => [
      p.partition,
      Number(BigInt(p.high) - readsFrom(at.get(p.partition) ?? -1n, BigInt(p.low))),
    ]),
  )
}

/**
 * Resolves true once `groupId` has committed past every message `topic` held at the call (its ingesters commit
 * only what they have stored), false after `timeoutMs`: what was acknowledged before is then queryable. A
 * partition counts from where the group reads next (readsFrom), so one with nothing left in it is caught up.
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
    const behind = partitionsBehind(ends, committed[0]?.partitions ?? [])
    if ([...behind.values()].every((n) => n <= 0)) return true
    if (Date.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, pollMs))
  }
}
