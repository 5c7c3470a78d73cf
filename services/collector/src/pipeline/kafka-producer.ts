import { ensureTopics, sendInParts, toMessage } from '@touchpoint/kafka'
import type { FastifyBaseLogger } from 'fastify'
import { CompressionTypes, type Kafka, type Producer } from 'kafkajs'
import type { OutboundRecord } from './sink'

/** how often, at most, a topic found missing is made again */
const REMAKE_TOPIC_MS = 5000

export interface TopicProducerOptions {
  topic: string
  partitions: number
  replication: number
  compression: 'none' | 'gzip'
}

/**
 * The Kafka sink's way into its topic: one idempotent producer (acks=all), connected on first use and replaced
 * after a failure, and the topic made again where the brokers no longer know it.
 */
export class TopicProducer {
  private producer: Producer
  /** the producer that has connected: a producer given up on (reset) may connect late, and is not it */
  private connectedProducer: Producer | null = null
  /** when the topic was last found missing and made again (remakeTopic) */
  private topicRemadeAt = 0

  constructor(
    private readonly kafka: Kafka,
    private readonly options: TopicProducerOptions,
    private readonly log: FastifyBaseLogger,
    /** called for each produce the brokers refused for its size and that went again in halves */
    private readonly onSplit: () => void,
  ) {
    this.producer = this.newProducer()
  }

  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  }

  /**
   * After a failed produce, kafkajs's idempotent producer may hold sequence numbers the broker never saw, and
   * every later produce would fail (OutOfOrderSequenceNumber). A new producer gets a new producer id.
   */
  reset(): void {
    const old = this.producer
    this.producer = this.newProducer()
    old.disconnect().catch(() => {})
  }

  /** One produce of `records`, in parts where the brokers refuse it for its size (sendInParts). */
  async send(records: OutboundRecord[]): Promise<void> {
    const producer = await this.connect()
    const compression = this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None
    await sendInParts(
      records,
      (part) =>
        producer.send({
          topic: this.options.topic,
          acks: -1,
          compression,
          messages: part.map(toMessage),
        }),
      this.onSplit,
    )
  }

  /** The producer, connected. */
  async connect(): Promise<Producer> {
    const producer = this.producer
    if (this.connectedProducer !== producer) {
      await producer.connect()
      this.connectedProducer = producer
    }
    return producer
  }

  /** Whether the producer is connected, or connects now. */
  async reachable(): Promise<boolean> {
    try {
      await this.connect()
      return true
    } catch {
      this.reset()
      return false
    }
  }

  /**
   * The brokers do not know the topic: deleted under the running services, or never made (the collector started
   * while they were away, before any ingester). It is made again as at start, so that the spool replays into it
   * rather than fill up; what the topic held that the ingesters had not loaded went with it.
   */
  async remakeTopic(): Promise<void> {
    if (Date.now() - this.topicRemadeAt < REMAKE_TOPIC_MS) return
    this.topicRemadeAt = Date.now()
    const { topic, partitions, replication } = this.options
    const admin = this.kafka.admin()
    try {
      await admin.connect()
      if ((await ensureTopics(admin, [{ topic, partitions, replication }])).length)
        this.log.warn({ topic, partitions }, 'the topic was gone (deleted?): made it again')
    } catch (err) {
      this.log.warn({ err: (err as Error).message, topic }, 'the topic is gone, and could not be made again')
    } finally {
      await admin.disconnect().catch(() => {})
    }
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect().catch(() => {})
  }
}
