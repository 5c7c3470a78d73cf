import { basic, eventually, post } from './http'

export const trackEvent = (id: string, name = 'Load Test') => ({
  type: 'track',
  event: name,
  anonymousId: `anon-${id.slice(-3)}`,
  messageId: id,
  properties: { id },
})

/**
 * Sends events as alternating 50-event batches and single calls, `concurrency` requests at a time, until all are
 * sent or `stop()` is called. Keeps which ids were acknowledged (200) and which were attempted at all; requests
 * that fail (a killed collector) are counted, not retried, and the generator goes on.
 */
export class LoadGenerator {
  readonly acked = new Set<string>()
  readonly attempted = new Set<string>()
  /** how many requests were answered with each status */
  readonly statuses = new Map<number, number>()
  errors = 0
  private stopped = false
  private next = 0
  private running: Promise<void> | undefined

  constructor(
    private readonly url: () => string,
    private readonly writeKey: string,
    private readonly prefix: string,
    private readonly options: { concurrency?: number; limit?: number; pauseMs?: number; name?: string } = {},
  ) {}

  start(): this {
    const workers = Array.from({ length: this.options.concurrency ?? 8 }, (_, w) => this.worker(w))
    this.running = Promise.all(workers).then(() => {})
    return this
  }

  private async worker(w: number): Promise<void> {
    let n = 0
    while (!this.stopped && (this.options.limit === undefined || this.next < this.options.limit)) {
      const want = (w + n++) % 2 === 0 ? 50 : 1
      const size = this.options.limit === undefined ? want : Math.min(want, this.options.limit - this.next)
      if (size <= 0) break
      const ids = Array.from({ length: size }, () => `${this.prefix}-${String(this.next++).padStart(7, '0')}`)
      for (const id of ids) this.attempted.add(id)
      const events = ids.map((id) => trackEvent(id, this.options.name))
      try {
        const res =
          size === 1
            ? await post(`${this.url()}/v1/track`, events[0], { authorization: basic(this.writeKey) })
            : await post(`${this.url()}/v1/batch`, { batch: events }, { authorization: basic(this.writeKey) })
        this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1)
        if (res.status === 200) for (const id of ids) this.acked.add(id)
        else this.errors++
      } catch {
        this.errors++
        await new Promise((r) => setTimeout(r, 100))
      }
      if (this.options.pauseMs) await new Promise((r) => setTimeout(r, this.options.pauseMs))
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.running
  }

  /** Resolves when every worker has finished (with `limit`). */
  done(): Promise<void> {
    return this.running ?? Promise.resolve()
  }
}

export async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line ? Number(line.split(' ').pop()) : Number.NaN
}

/** Waits until a collector's spool is empty: all it acknowledged is loaded (embedded) or produced to Kafka. */
export function spoolDrained(collectorUrl: string, timeoutMs: number): Promise<number> {
  return eventually(
    () => metricValue(collectorUrl, 'touchpoint_spool_queued_bytes'),
    (b) => b === 0,
    timeoutMs,
  )
}

/** How often the ingester reads the group's lag from the broker (LAG_REFRESH_MS in services/ingester). */
const LAG_REFRESH_MS = 2000

/**
 * Waits until the ingester has loaded everything in Kafka. Its lag gauge is read from the broker every 2 s and
 * after each batch, so a 0 can predate the last records produced: CI once stopped an ingester on such a 0 with
 * 113 acknowledged events still unfetched. So the gauge must read 0 on both sides of a full refresh.
 */
export async function consumerCaughtUp(ingesterUrl: string, timeoutMs = 150_000): Promise<void> {
  const lag = () => metricValue(ingesterUrl, 'touchpoint_ingester_consumer_lag_total')
  await eventually(lag, (v) => v === 0, timeoutMs)
  await new Promise((r) => setTimeout(r, LAG_REFRESH_MS + 500))
  await eventually(lag, (v) => v === 0, timeoutMs)
}
