import { setTimeout as sleep } from 'node:timers/promises'
import { limits } from '@touchpoint/schema'
import { retryDelay } from './backoff'
import { type ExitFlushable, flushBeforeExit, release } from './exit'
import {
  type AliasMessage,
  type CallType,
  type Common,
  type GroupMessage,
  type IdentifyMessage,
  type PageMessage,
  TouchpointValidationError,
  type TrackMessage,
  toWire,
} from './messages'
import { type ResolvedOptions, resolveOptions, type TouchpointOptions } from './options'
import { MessageQueue, type Queued } from './queue'
import { sendBatch, type TransportOptions } from './transport'

export interface ClientStats {
  /** calls accepted into the queue */
  queued: number
  /** calls the collector acknowledged and stored */
  delivered: number
  /** calls the collector acknowledged but refused (kept in events_rejected) */
  rejected: number
  /** calls given up on: queue full, retries exhausted, refused request, or made after close() */
  dropped: number
  /** attempts that failed and were tried again */
  retries: number
}

type Entry = Queued & { seq: number }

/**
 * The server-side tracking client, shaped like Segment's analytics-node: calls are queued and sent in batches
 * (when flushAt are queued, or after flushInterval), up to maxInFlight requests at once. A failed request is
 * retried with exponential backoff and jitter (honouring Retry-After) with the same messageIds, so a batch that
 * landed before its answer was lost still counts once. flush() and close() resolve only when every call made
 * before them has been acknowledged or reported through onDrop. A process that ends without close() sends what is
 * queued first (exit.ts).
 */
export class TouchpointClient implements ExitFlushable {
  readonly stats: ClientStats = { queued: 0, delivered: 0, rejected: 0, dropped: 0, retries: 0 }
  protected readonly options: ResolvedOptions
  private readonly queue: MessageQueue
  private readonly transport: TransportOptions
  /** first sequence number of each batch in flight → the batch */
  private readonly inFlight = new Map<number, Entry[]>()
  private seq = 0
  private timer: NodeJS.Timeout | undefined
  private closed = false
  private waiters: Array<{ upTo: number; resolve: () => void }> = []

  constructor(options: TouchpointOptions) {
    this.options = resolveOptions(options)
    this.queue = new MessageQueue(this.options.maxQueueSize)
    this.transport = {
      endpoint: `${this.options.host}/v1/batch`,
      authorization: `Basic ${Buffer.from(`${this.options.key}:`).toString('base64')}`,
      timeoutMs: this.options.timeout,
      source: this.options.source,
      fetch: this.options.fetch,
    }
    if (this.options.flushOnExit) flushBeforeExit(this)
  }

  get exitTimeoutMs(): number {
    return this.options.exitTimeout
  }

  track(message: TrackMessage): void {
    if (typeof message.event !== 'string' || message.event === '')
      throw new TouchpointValidationError('track: event is required', [
        { path: 'event', message: 'is required' },
      ])
    this.enqueue('track', message)
  }
  page(message: PageMessage): void {
    this.enqueue('page', message)
  }
  screen(message: PageMessage): void {
    this.enqueue('screen', message)
  }
  identify(message: IdentifyMessage): void {
    this.enqueue('identify', message)
  }
  group(message: GroupMessage): void {
    this.enqueue('group', message)
  }
  alias(message: AliasMessage): void {
    this.enqueue('alias', message)
  }

  /** Calls queued and not yet acknowledged or dropped. */
  get pending(): number {
    let n = this.queue.length
    for (const batch of this.inFlight.values()) n += batch.length
    return n
  }

  /** Sends everything queued now; resolves when all of it is acknowledged or reported through onDrop. */
  flush(): Promise<void> {
    const upTo = this.seq
    if (this.settledUpTo() >= upTo) return Promise.resolve()
    const done = new Promise<void>((resolve) => this.waiters.push({ upTo, resolve }))
    this.pump(true)
    return done
  }

  /** Flushes, then refuses further calls (they go to onDrop). Call it before the process exits. */
  async close(): Promise<ClientStats> {
    this.closed = true
    await this.flush()
    clearTimeout(this.timer)
    this.timer = undefined
    release(this)
    return { ...this.stats }
  }

  /** The process is ending (exit.ts): every call not yet acknowledged goes to onDrop, and is not sent after. */
  abandon(reason: string): void {
    this.closed = true
    clearTimeout(this.timer)
    const held: Array<Record<string, unknown>> = []
    for (const batch of this.inFlight.values()) for (const entry of batch) held.push(entry.message)
    this.inFlight.clear()
    for (const entry of this.queue.take(Infinity, Infinity)) held.push(entry.message)
    if (held.length) this.drop(held, reason)
    this.settle()
  }

  protected enqueue(type: CallType, message: Common & object): void {
    const wire = toWire(type, message as Common & Record<string, unknown>)
    const json = JSON.stringify(wire)
    const bytes = Buffer.byteLength(json)
    if (bytes > limits.MAX_EVENT_BYTES)
      throw new TouchpointValidationError(
        `${type}: the call is ${bytes} bytes, over the collector's ${limits.MAX_EVENT_BYTES}-byte limit`,
      )
    if (this.closed) {
      this.drop([wire], 'the client is closed')
      return
    }
    if (!this.queue.push({ message: wire, json, bytes, seq: this.seq + 1 } as Entry)) {
      this.drop([wire], `the queue is full (maxQueueSize ${this.options.maxQueueSize})`)
      return
    }
    this.seq++
    this.stats.queued++
    if (this.queue.length >= this.options.flushAt) this.pump(false)
    else this.arm()
  }

  private arm() {
    if (this.timer || this.queue.length === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.pump(true)
    }, this.options.flushInterval)
    // a process with nothing else to do sends at once and ends (beforeExit, exit.ts), rather than wait for it
    if (this.options.flushOnExit) this.timer.unref?.()
  }

  /** Starts batches while there is room in flight; partial batches only when forced (timer, flush). */
  private pump(force: boolean) {
    const o = this.options
    while (this.inFlight.size < o.maxInFlight && this.queue.length > 0) {
      if (!force && this.waiters.length === 0 && this.queue.length < o.flushAt) break
      const batch = this.queue.take(o.maxBatchEvents, o.maxBatchBytes) as Entry[]
      const first = batch[0]!.seq
      this.inFlight.set(first, batch)
      void this.deliver(batch).finally(() => {
        this.inFlight.delete(first)
        this.settle()
        this.pump(false)
      })
    }
    this.arm()
  }

  private async deliver(batch: Entry[]): Promise<void> {
    const o = this.options
    for (let attempt = 0; ; attempt++) {
      const outcome = await sendBatch(batch, this.transport)
      if (this.inFlight.get(batch[0]!.seq) !== batch) return // abandoned meanwhile: already reported
      if (outcome.kind === 'ok') {
        this.stats.delivered += batch.length - outcome.rejected.length
        if (outcome.rejected.length) {
          this.stats.rejected += outcome.rejected.length
          try {
            o.onRejected?.(
              outcome.rejected.map((r) => ({ message: batch[r.index]?.message ?? {}, issues: r.issues })),
            )
          } catch {
            // as with onDrop: the user's callback must not break delivery
          }
        }
        return
      }
      if (outcome.kind === 'fatal' || attempt >= o.maxRetries) {
        const why =
          outcome.kind === 'fatal'
            ? outcome.reason
            : `gave up after ${attempt + 1} attempts: ${outcome.reason}`
        this.drop(
          batch.map((b) => b.message),
          why,
        )
        return
      }
      this.stats.retries++
      const wait = retryDelay(
        attempt,
        { minMs: o.retryMinDelay, maxMs: o.retryMaxDelay },
        outcome.retryAfterMs,
      )
      await sleep(wait)
      if (this.inFlight.get(batch[0]!.seq) !== batch) return
    }
  }

  private drop(messages: Array<Record<string, unknown>>, reason: string) {
    this.stats.dropped += messages.length
    try {
      this.options.onDrop(messages, reason)
    } catch {
      // a throwing callback must not break delivery of the rest
    }
  }

  /** Every call with a sequence number below this is acknowledged or dropped. */
  private settledUpTo(): number {
    let lowest = this.seq + 1
    for (const first of this.inFlight.keys()) lowest = Math.min(lowest, first)
    const head = this.queue.peekSeq()
    if (head !== undefined) lowest = Math.min(lowest, head)
    return lowest - 1
  }

  private settle() {
    if (this.waiters.length === 0) return
    const settled = this.settledUpTo()
    this.waiters = this.waiters.filter((w) => {
      if (w.upTo > settled) return true
      w.resolve()
      return false
    })
  }
}
