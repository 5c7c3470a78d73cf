import { setTimeout as sleep } from 'node:timers/promises'
import {
  consumedPast,
  createKafka,
  ensureTopics,
  hintOf,
  type KafkaConnection,
  refusalOf,
  topicMissing,
  topicRisks,
} from '@touchpoint/kafka'
import type { FastifyBaseLogger } from 'fastify'
import type { Kafka } from 'kafkajs'
import type { Metrics } from '../metrics'
import { encodeRecord } from '../spool/codec'
import { Spool } from '../spool/spool'
import { TopicProducer } from './kafka-producer'
import type { OutboundRecord, Sink } from './sink'
import { reportSpoolHealth } from './spool-health'

export interface KafkaSinkOptions extends KafkaConnection {
  topic: string
  partitions: number
  replication: number
  /** the ingesters' consumer group: stored() waits for it to commit what the topic holds */
  ingesterGroup: string
  /** how long records wait for company when no produce is in flight */
  lingerMs: number
  /** the most records one produce carries */
  maxBatchRecords: number
  compression: 'none' | 'gzip'
  /**
   * How long a request waits for the brokers to acknowledge its records before they go to the spool instead: a
   * broker that hangs (a network partition, a stalled disk) answers neither yes nor no until kafkajs's retries give
   * up, 40 s later
   */
  ackTimeoutMs: number
  /** the local spool that takes records while the broker is unreachable */
  spoolDir: string
  spoolMaxBytes: number
}

interface Waiting {
  records: OutboundRecord[]
  resolve: () => void
  reject: (err: Error) => void
}

/** Records replayed from the spool per produce, and how long to wait between attempts while the broker is away. */
const REPLAY_BATCH_RECORDS = 5000
const REPLAY_BATCH_BYTES = 4 * 1024 * 1024
const RETRY_MS = 1000
const DRAIN_TIMEOUT_MS = 30_000

/**
 * The distributed mode's sink: records go to Kafka (idempotent producer, acks=all), and each request is
 * answered once the broker has acknowledged its records. kafkajs has no linger of its own, and a produce costs
 * its caller about 0.6 ms of CPU besides its messages (bench/kafka-produce.ts), so records are grouped here:
 * one produce is in flight at a time (the idempotent producer sends one at a time anyway), and the records of
 * every request that arrives meanwhile go out together in the next, up to `maxBatchRecords`. When nothing is
 * in flight, records wait `lingerMs` for company. The busier the collector, the larger its produces, with no
 * fixed wait: at 50 concurrent single-event requests, 1,735-2,021 requests/s with p99 70 ms, against
 * 1,319-1,363 and 155 ms with a produce every `lingerMs` (paired runs; docs/performance.md, "What a produce
 * costs").
 *
 * When a produce fails (broker unreachable), its records go to the local spool instead (fsync'd, so still
 * acknowledged), and so do all records after them until a replayer has moved the spool back into Kafka, in
 * order. Meanwhile the sink reports 'degraded'; only a full spool refuses records (503).
 */
export class KafkaSink implements Sink {
  private waiting: Waiting[] = []
  private waitingRecords = 0
  /** the produce in flight (or its records' way into the spool), and whatever it flushes after itself */
  private inflight: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  /** true from a failed produce until the spool has been replayed */
  private spooling = false
  /** why the records go to the spool, while they do: the last failure from Kafka, for /readyz */
  private trouble: string | undefined
  private stopping = false
  private replayer: Promise<void> | null = null
  private wakeReplayer: (() => void) | null = null
  /** appends to the spool under way: until they are written, an empty read of it does not mean it is replayed */
  private spoolAppends = 0
  private readonly out: TopicProducer

  private constructor(
    private readonly kafka: Kafka,
    private readonly spool: Spool,
    private readonly options: KafkaSinkOptions,
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {
    this.out = new TopicProducer(kafka, options, log, () => metrics.producesSplit.inc())
    metrics.gauge(
      'touchpoint_spool_queued_bytes',
      'Bytes spooled while Kafka was unreachable, not yet replayed.',
      () => spool.queuedBytes,
    )
    reportSpoolHealth(spool, log, metrics)
    metrics.gauge(
      'touchpoint_kafka_degraded',
      '1 while records go to the local spool instead of Kafka.',
      () => (this.spooling ? 1 : 0),
    )
  }

  static async start(
    options: KafkaSinkOptions,
    metrics: Metrics,
    log: FastifyBaseLogger,
  ): Promise<KafkaSink> {
    const kafka = createKafka(options)
    const spool = await Spool.open(options.spoolDir, { maxBytes: options.spoolMaxBytes })
    const sink = new KafkaSink(kafka, spool, options, metrics, log)
    // A collector starts even when the broker is down: it spools until the broker is back.
    sink.spooling = spool.queuedBytes > 0
    try {
      const admin = kafka.admin()
      await admin.connect()
      await ensureTopics(admin, [
        { topic: options.topic, partitions: options.partitions, replication: options.replication },
      ])
      for (const risk of await topicRisks(admin, options.topic)) log.warn(risk)
      await admin.disconnect()
      await sink.out.connect()
    } catch (err) {
      // a refusal (a password, a certificate) is the configuration's: a start that spooled on would fill the disk
      const refusal = refusalOf(err)
      if (refusal) {
        await spool.close()
        throw new Error(`Kafka at ${options.brokers.join(',')}: ${refusal}`)
      }
      const hint = hintOf(err, options)
      log.warn({ err, hint }, 'Kafka unreachable at start; accepting into the local spool')
      sink.spooling = true
      sink.trouble = `Kafka unreachable at start: ${sink.why(err as Error)}` // no refusal here: it threw above
    }
    sink.replayer = sink.replay()
    return sink
  }

  /**
   * Resolves true once what this collector acknowledged before the call is stored (false after `timeoutMs`): the
   * records spooled while the broker was away replayed into Kafka, then everything the topic holds committed by the
   * ingesters' group, which commits only what it has inserted. A person's erasure or export waits for it (with
   * CLICKHOUSE_URL, where this collector answers them). Other collectors' spools are not waited for.
   */
  async stored(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    if (!(await this.spool.loadedBy(this.spool.written, deadline))) return false
    const admin = this.kafka.admin()
    try {
      await admin.connect()
      const { topic, ingesterGroup } = this.options
      return await consumedPast(admin, topic, ingesterGroup, Math.max(0, deadline - Date.now()))
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not ask Kafka how far the ingesters have stored')
      return false
    } finally {
      await admin.disconnect().catch(() => {})
    }
  }

  /** 'degraded' while records go to the spool, 'down' while it cannot be written or is full (503s). */
  status(): 'ok' | 'degraded' | 'down' {
    if (!this.spooling) return 'ok'
    return this.spool.refusing ? 'down' : 'degraded'
  }

  /** A failure from Kafka as /readyz gives it: the refusal, or the error and what may explain it (hintOf). */
  private why(err: Error): string {
    const hint = hintOf(err, this.options)
    return refusalOf(err) ?? `${err.message}${hint ? ` (${hint})` : ''}`
  }

  /** While the records go to the spool: the last failure from Kafka that keeps them there. */
  reason(): string | undefined {
    return this.spooling ? this.trouble : undefined
  }

  append(records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve()
    // straight to the spool while Kafka is away, unless older records are still on their way there
    if (this.spooling && !this.inflight && this.waiting.length === 0) return this.toSpool(records)
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject })
      this.waitingRecords += records.length
      // with a produce in flight, its completion sends these; otherwise they wait lingerMs for company
      if (this.inflight) return
      if (this.waitingRecords >= this.options.maxBatchRecords) this.flush()
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs)
    })
  }

  private toSpool(records: OutboundRecord[]): Promise<void> {
    this.spoolAppends++
    return this.spool.append(records.map((r) => encodeRecord(r.kind, r.id, r.payload, r.key))).finally(() => {
      this.spoolAppends--
      this.wakeReplayer?.()
    })
  }

  /** Sends the waiting records (up to maxBatchRecords), then whatever arrived meanwhile, one produce at a time. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.inflight || this.waiting.length === 0) return
    const batch = this.takeBatch()
    const records = batch.flatMap((w) => w.records)
    // After a failed produce everything goes to the spool until it is replayed, so that order holds.
    const sent = this.spooling ? this.toSpool(records) : this.produce(records)
    this.inflight = sent.then(
      () => {
        for (const w of batch) w.resolve()
      },
      (err: Error) => {
        for (const w of batch) w.reject(err)
      },
    )
    void this.inflight.finally(() => {
      this.inflight = null
      this.flush()
    })
  }

  /** The oldest waiting requests, whole, up to maxBatchRecords records (at least one request). */
  private takeBatch(): Waiting[] {
    let n = 0
    let count = 0
    while (
      n < this.waiting.length &&
      (n === 0 || count + this.waiting[n]!.records.length <= this.options.maxBatchRecords)
    ) {
      count += this.waiting[n]!.records.length
      n++
    }
    this.waitingRecords -= count
    return this.waiting.splice(0, n)
  }

  /**
   * One produce; if it fails, or is not acknowledged within ackTimeoutMs, its records go to the spool, and so does
   * everything after them until replayed.
   */
  private produce(records: OutboundRecord[]): Promise<void> {
    return withDeadline(this.out.send(records), this.options.ackTimeoutMs).then(
      () => {
        this.metrics.produced.inc({}, records.length)
      },
      async (err: Error) => {
        this.metrics.produceErrors.inc()
        if (!this.spooling)
          this.log.warn(
            { err: err.message, refusal: refusalOf(err) },
            'produce failed; spooling until Kafka is back',
          )
        this.spooling = true
        this.trouble = `produce failed: ${this.why(err)}`
        this.out.reset()
        // These records may or may not have reached the broker; spooling them keeps them whatever happened,
        // and the ingester's dedupe drops a second copy.
        await this.toSpool(records)
      },
    )
  }

  /** Moves spooled records into Kafka, oldest first; switches back to direct produce once the spool is empty. */
  private async replay(): Promise<void> {
    let failures = 0
    while (!this.stopping || this.spool.queuedBytes > 0) {
      if (!this.spooling && this.spool.queuedBytes === 0) {
        await this.pause()
        continue
      }
      const batch = await this.spool.read(REPLAY_BATCH_RECORDS, REPLAY_BATCH_BYTES)
      if (!batch) {
        // Everything spooled is in Kafka; new records may go direct again, once the records on their way into the
        // spool are in it (and replayed first), and Kafka answers: a collector that started without it has
        // replayed nothing. Records appended to the spool after this read are picked up by the next round.
        if (this.spooling) {
          if (this.spoolAppends > 0 || !(await this.out.reachable())) {
            if (!this.stopping) await this.pause()
            continue
          }
          this.log.info('Kafka is back and the spool is replayed')
        }
        this.spooling = false
        this.trouble = undefined
        continue
      }
      try {
        await this.out.send(batch.records)
        await this.spool.commit(batch)
        this.metrics.produced.inc({}, batch.records.length)
        failures = 0
      } catch (err) {
        if (this.stopping) return
        this.metrics.produceErrors.inc()
        this.trouble = `replay into Kafka failed: ${this.why(err as Error)}`
        if (failures++ % 10 === 0) {
          this.log.warn(
            { err: (err as Error).message, refusal: refusalOf(err), failures },
            'replay into Kafka failed; retrying',
          )
        }
        if (topicMissing(err)) await this.out.remakeTopic()
        this.out.reset()
        await sleep(RETRY_MS)
      }
    }
  }

  /** Waits a retry's time, or until records are spooled. */
  private pause(): Promise<void> {
    return new Promise<void>((r) => {
      this.wakeReplayer = r
      setTimeout(r, RETRY_MS).unref()
    })
  }

  async close(): Promise<void> {
    this.flush()
    // each produce flushes what waited behind it, so this ends once nothing is in flight and nothing waits
    while (this.inflight) await this.inflight.catch(() => {})
    this.stopping = true
    this.wakeReplayer?.()
    const drained = await Promise.race([
      this.replayer?.then(() => true),
      sleep(DRAIN_TIMEOUT_MS).then(() => false),
    ])
    if (!drained)
      this.log.warn('spool not fully replayed at shutdown; the rest goes to Kafka at the next start')
    await this.out.disconnect()
    await this.spool.close()
  }
}

/**
 * `work`, or a rejection once `ms` have passed without it settling. What `work` does after that is ignored: a
 * produce given up on may still reach the broker, and the spool's copy of its records is then a repeat that the
 * ingesters' dedupe drops.
 */
function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge within ${ms} ms`)), ms)
  })
  work.catch(() => {})
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
