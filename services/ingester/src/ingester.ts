import { setTimeout as sleep } from 'node:timers/promises'
import type { ClickHouse } from '@touchpoint/clickhouse'
import {
  consumedPast,
  createKafka,
  ensureTopics,
  hintOf,
  onceTopicsKnown,
  refusalOf,
  refusedBy,
  type TopicSpec,
  topicRisks,
} from '@touchpoint/kafka'
import { Loader, loadIsolating } from '@touchpoint/loader'
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  logLevel,
  type Producer,
} from 'kafkajs'
import type { Logger } from 'pino'
import { decodeBatch, type Entry } from './batch'
import type { IngesterConfig } from './config'
import { consumerOptions } from './consumer-options'
import { sendDeadLetters } from './dead-letter'
import { ExpiryCheck, reportExpired } from './expired'
import { IngesterHealth } from './health'
import { kafkaLogCreator } from './kafka-log'
import { groupLag } from './lag'
import type { IngesterMetrics } from './metrics'

const MAX_BACKOFF_MS = 10_000
const LAG_REFRESH_MS = 2000

/**
 * The Kafka consumer group that loads ClickHouse: each fetched batch of a partition goes through the same
 * Loader as the embedded mode (dedupe window + insert token), and its offsets are committed only after the
 * insert returned. The token is topic, partition, offset range and a digest of the records (batchToken), so a
 * batch re-read after a crash between insert and commit is dropped by ClickHouse; a re-read with other boundaries
 * is caught by the dedupe window, which is refilled from ClickHouse at start.
 *
 * One consumer at a time: a crashed or stuck consumer is replaced by a new one (kafkajs's own restart is off,
 * so no restart of the old one can race ours), and a batch of a replaced consumer loads and commits nothing.
 */
export class Ingester {
  private readonly kafka: Kafka
  private consumer: Consumer | null = null
  private producer: Producer
  private admin: Admin
  private readonly loader: Loader
  private lagTimer: NodeJS.Timeout | null = null
  private refreshingLag: Promise<void> | null = null
  /**
   * The batch being loaded, for stop() to let it finish and commit first: kafkajs drops the commits a batch makes
   * once its consumer is told to stop (they return without a word), and the ingester that takes the partition
   * loads that batch again
   */
  private batchInHand: Promise<void> | null = null
  private lastProgress = Date.now()
  /** a batch is being loaded: a long one (ClickHouse down, retrying) is not a stall, unless it lasts 3 × stallMs */
  private inBatch = false
  /** why the consumer should be replaced, while a replacement is due */
  private restartReason: string | null = null
  private restarting: Promise<void> | null = null
  private stopping = false
  /** what /readyz says once the ingester has joined (IngesterHealth) */
  readonly health = new IngesterHealth()
  private readonly expiry: ExpiryCheck

  constructor(
    private readonly config: IngesterConfig,
    ch: ClickHouse,
    private readonly metrics: IngesterMetrics,
    private readonly log: Logger,
  ) {
    this.kafka = createKafka(config.kafka, {
      retry: { initialRetryTime: 300, retries: 30, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(log),
    })
    this.producer = this.newProducer()
    this.admin = this.kafka.admin()
    this.loader = new Loader(ch, config.dedupe)
    this.expiry = new ExpiryCheck(
      () => this.admin,
      config.kafka.topic,
      config.kafka.groupId,
      reportExpired(config.kafka.topic, metrics, log),
    )
    metrics.gauge(
      'touchpoint_dedupe_window_ids',
      'Message ids the dedupe window remembers (bounded by DEDUPE_MAX_IDS).',
      () => this.loader.window.count,
    )
  }

  /**
   * Refills the dedupe window, then joins the group. Brokers that are down, or that take connections and answer
   * nothing (a broker that hangs), are waited for, the wait said in the log, as long as it takes (the collectors
   * spool meanwhile); a refusal (a password, a certificate, an ACL) is the configuration's, and stops the start.
   */
  async start(): Promise<void> {
    const where = `Kafka at ${this.config.kafka.brokers.join(',')}`
    const warmed = await this.loader.warmUp()
    this.log.info({ warmed }, 'dedupe window refilled from ClickHouse')
    for (let attempt = 0; ; attempt++) {
      // this client retries for minutes, which a refused password or certificate would only prolong
      const refusal = await refusedBy(this.config.kafka)
      if (refusal) throw new Error(`${where}: ${refusal}`)
      try {
        await this.join()
        break
      } catch (err) {
        const refused = refusalOf(err)
        if (refused) throw new Error(`${where}: ${refused}`)
        if (this.stopping) throw err
        const retryInMs = Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS)
        const hint = hintOf(err, this.config.kafka)
        this.log.warn(
          { err: (err as Error).message, ...(hint && { hint }), attempt: attempt + 1, retryInMs },
          `${where} did not let the ingester join; waiting for it`,
        )
        // new clients: kafkajs's keep a broker that answered too late as "not connected" for good
        await Promise.all(
          [this.consumer, this.producer, this.admin].map((c) => c?.disconnect().catch(() => {})),
        )
        this.consumer = null
        this.producer = this.newProducer()
        this.admin = this.kafka.admin()
        await sleep(retryInMs)
      }
    }
    this.lagTimer = setInterval(() => void this.lagRefresh(), LAG_REFRESH_MS)
    await this.lagRefresh()
  }

  /** The lag refresh under way, or a new one: against brokers that hang, one waits out this client's retries (minutes). */
  private lagRefresh(): Promise<void> {
    this.refreshingLag ??= this.refreshLag().finally(() => {
      this.refreshingLag = null
    })
    return this.refreshingLag
  }

  private newProducer(): Producer {
    return this.kafka.producer({ allowAutoTopicCreation: false })
  }

  /** The topics, the dead-letter producer and the consumer, joined to the group. */
  private async join(): Promise<void> {
    const { topic, groupId } = this.config.kafka
    await this.admin.connect()
    await ensureTopics(this.admin, this.topicSpecs())
    for (const risk of await topicRisks(this.admin, topic)) this.log.warn(risk)
    // where the group was, before its consumer finds (and kafkajs resets) an offset that retention deleted
    const committed = await this.admin.fetchOffsets({ groupId, topics: [topic] })
    this.expiry.saw(committed[0]?.partitions ?? [])
    await this.producer.connect()
    await this.runConsumer()
  }

  private topicSpecs(): TopicSpec[] {
    const { topic, dlqTopic, partitions, replication } = this.config.kafka
    return [
      { topic, partitions, replication },
      { topic: dlqTopic, partitions: 1, replication },
    ]
  }

  /** A new consumer, joined to the group: it reads from the committed offsets. */
  private async runConsumer(): Promise<void> {
    const { kafka } = this.config
    const consumer = this.kafka.consumer(consumerOptions(kafka))
    this.consumer = consumer
    const current = () => this.consumer === consumer
    consumer.on(consumer.events.START_BATCH_PROCESS, () => {
      if (!current()) return
      this.lastProgress = Date.now()
      this.inBatch = true
    })
    consumer.on(consumer.events.END_BATCH_PROCESS, () => {
      if (!current()) return
      this.lastProgress = Date.now()
      this.health.batchDone()
      this.inBatch = false
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!current()) return
      this.log.error({ err: payload.error?.message, refusal: refusalOf(payload.error) }, 'consumer crashed')
      this.restartConsumer(`crashed: ${payload.error?.message}`)
    })
    await consumer.connect()
    await onceTopicsKnown(() => consumer.subscribe({ topic: kafka.topic, fromBeginning: true }))
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => {
        const run = this.eachBatch(payload, consumer)
        this.batchInHand = run.catch(() => {})
        return run
      },
    })
    this.lastProgress = Date.now()
  }

  /**
   * Replaces the consumer with a new one that joins the group from the committed offsets: nothing is skipped,
   * a batch may load twice (the token and the dedupe window drop the second). A reason given while a
   * replacement is under way (its join crashed) makes it go round again.
   */
  private restartConsumer(reason: string): void {
    if (this.stopping) return
    this.health.consumerReplaced(reason)
    this.restartReason = reason
    this.restarting ??= this.replaceConsumer().finally(() => {
      this.restarting = null
    })
  }

  private async replaceConsumer(): Promise<void> {
    for (let attempt = 0; this.restartReason !== null && !this.stopping; ) {
      const reason = this.restartReason
      this.restartReason = null
      this.metrics.consumerRestarts.inc()
      this.log.warn({ reason }, 'restarting the Kafka consumer')
      const old = this.consumer
      this.consumer = null
      await old?.disconnect().catch(() => {})
      try {
        // a topic deleted under the running services (the consumer crashed on it) is made again, as at start
        const remade = await ensureTopics(this.admin, this.topicSpecs())
        if (remade.length)
          this.log.warn({ topics: remade }, 'the topics were gone (deleted?): made them again')
        await this.runConsumer()
        attempt = 0
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'consumer restart failed; trying again')
        this.restartReason ??= 'the last restart failed'
        this.health.consumerReplaced(`restart failed: ${(err as Error).message}`)
        await sleep(Math.min(1000 * 2 ** attempt++, MAX_BACKOFF_MS))
      }
    }
    this.inBatch = false
    this.lastProgress = Date.now()
  }

  /** A batch of `consumer`'s: once it has been replaced, the batch loads nothing more and commits nothing. */
  private async eachBatch(
    { batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload,
    consumer: Consumer,
  ): Promise<void> {
    const current = () => this.consumer === consumer
    // once stopping, no batch is begun: it could not be committed (batchInHand)
    if (batch.isEmpty() || isStale() || !current() || this.stopping) return
    try {
      await this.expiry.beforeBatch(batch.partition, BigInt(batch.firstOffset()!))
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message, partition: batch.partition },
        'could not ask Kafka whether records before this batch were deleted unread',
      )
    }
    const { entries, dead, token } = decodeBatch(batch)
    let backoff = 200
    let paused = false
    for (;;) {
      try {
        const refused = await this.loadOrIsolate(entries, token)
        for (const { message } of refused) dead.push({ message, reason: 'refused by ClickHouse' })
        this.health.insertDone()
        break
      } catch (err) {
        this.metrics.insertErrors.inc()
        this.health.insertFailed((err as Error).message)
        if (!paused) {
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }])
          paused = true
        }
        if (!isRunning() || isStale() || !current() || this.stopping) throw err
        this.log.error(
          { err: (err as Error).message, partition: batch.partition, retryInMs: backoff },
          'insert failed; partition paused',
        )
        await sleep(backoff)
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
        await heartbeat()
      }
    }
    if (paused) consumer.resume([{ topic: batch.topic, partitions: [batch.partition] }])
    if (dead.length) {
      const { producer, metrics, log } = this
      await sendDeadLetters(
        { producer, dlqTopic: this.config.kafka.dlqTopic, metrics, log },
        batch.topic,
        batch.partition,
        dead,
      )
    }
    const last = batch.lastOffset()
    resolveOffset(last)
    const next = (BigInt(last) + 1n).toString()
    // a replaced consumer has left the group: its replacement re-reads the batch, and the window drops it
    if (!current()) return
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }])
    this.expiry.committed(batch.partition, BigInt(next))
    this.metrics.lagByPartition.set(
      batch.partition,
      Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))),
    )
    await heartbeat()
  }

  /** Loads the records; when ClickHouse refuses some for their content, finds them (loadIsolating) and returns them. */
  private async loadOrIsolate(entries: Entry[], token: string): Promise<Entry[]> {
    const refused = await loadIsolating(entries, token, async (part, partToken) => {
      const result = await this.loader.load(
        part.map((e) => e.record),
        partToken,
      )
      this.metrics.countLoad(result, part.length)
      if (result.erased)
        this.log.info(
          { records: result.erased },
          'left out records of people erased after they were received',
        )
    })
    return refused.map((r) => r.item)
  }

  /**
   * Resolves true once the group has committed, so stored, every message the topic held at the call (false after
   * `timeoutMs`): the admin API's erasure and export wait for it, so that a person's last events are not loaded
   * after them.
   */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    const { topic, groupId } = this.config.kafka
    try {
      return await consumedPast(this.admin, topic, groupId, timeoutMs)
    } catch (err) {
      // the broker away: the request goes on with what is stored, as after the timeout
      this.log.warn({ err: (err as Error).message }, 'could not ask Kafka how far the group has stored')
      return false
    }
  }

  /** Lag of every partition from the broker's high watermarks and the group's committed offsets. */
  private async refreshLag(): Promise<void> {
    try {
      const { byPartition, total: lag, committed } = await groupLag(this.admin, this.config.kafka)
      this.expiry.saw(committed)
      for (const [partition, behind] of byPartition) this.metrics.lagByPartition.set(partition, behind)
      if (lag === 0 && this.consumer && !this.restarting) this.health.caughtUp()
      const idleMs = Date.now() - this.lastProgress
      const limit = this.inBatch ? 3 * this.config.kafka.stallMs : this.config.kafka.stallMs
      // a replacement under way is no stall (a crash during it already makes it go round again)
      if (lag > 0 && idleMs > limit && !this.restarting)
        void this.restartConsumer(`${lag} messages waiting and no batch for ${Math.round(idleMs / 1000)} s`)
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'lag refresh failed')
    }
  }

  /**
   * Finishes the batch in hand, commits it and leaves the group, so its partitions move at once. With the broker
   * unreachable, kafkajs retries each of those for minutes; after stopTimeoutMs the ingester stops without them:
   * what it did not commit is read again by the consumer that takes its partitions (the insert token and the
   * dedupe window drop what was loaded), and the group gives those away after its session timeout. Returns
   * whether it left the group.
   */
  async stop(): Promise<boolean> {
    this.stopping = true
    if (this.lagTimer) clearInterval(this.lagTimer)
    const started = Date.now()
    const leave = async () => {
      try {
        await this.restarting
        await this.batchInHand
        await this.consumer?.disconnect()
        await this.producer.disconnect()
        await this.admin.disconnect()
        return true
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not leave the group')
        return false
      }
    }
    // the deadline's timer keeps no process alive, and resolves into nothing once the ingester has left
    const deadline = sleep(this.config.kafka.stopTimeoutMs, false, { ref: false })
    const left = await Promise.race([leave(), deadline])
    if (!left)
      this.log.warn(
        { waitedMs: Date.now() - started },
        'stopping without leaving the group: the broker did not answer; what was not committed is read again',
      )
    return left
  }
}
