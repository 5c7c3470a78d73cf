import { setTimeout as sleep } from 'node:timers/promises'
import { basic, CHROME_UA, post, sql } from '../test/helpers/http'
import { metricValue } from '../test/helpers/load'

export interface Freshness {
  events: number
  eventsPerSecond: number
  p50Ms: number
  p95Ms: number
  maxMs: number
  /** how "queryable" was observed */
  observed: string
}

/** Says when events became queryable: `seen(ids)` returns the acknowledged ids it now sees, given all so far. */
export interface Observer {
  describe: string
  seen(acked: readonly string[], low: number): Promise<Iterable<string>>
}

/** Embedded mode: ask the collector's SQL endpoint which probe events are stored. */
export const bySql = (url: string, adminKey: string): Observer => ({
  describe: 'SELECT by message_id through /api/sql, every 25 ms',
  async seen(acked, low) {
    const rows = await sql<{ id: string }>(
      url,
      adminKey,
      `SELECT message_id AS id FROM events WHERE event = 'Freshness Probe' AND message_id >= {low:String}`,
      { low: acked[low] ?? '~' },
    )
    return rows.map((r) => r.id)
  },
})

/**
 * Through Kafka the ingester's embedded ClickHouse takes no other reader, so its rows-loaded counter stands in:
 * an insert has returned, so its rows are queryable. The i-th acknowledged event counts as seen once the counter
 * has grown by i + 1 since the start (FIFO; Kafka's partitions may reorder a little).
 */
export const byLoadedCount = async (ingesterUrl: string): Promise<Observer> => {
  const name = 'touchpoint_ingester_rows_loaded_total{table="events"}'
  const base = await metricValue(ingesterUrl, name)
  return {
    describe: "the ingester's rows-loaded counter, every 25 ms (i-th acknowledged = i-th loaded)",
    async seen(acked) {
      const loaded = (await metricValue(ingesterUrl, name)) - base
      return acked.slice(0, Math.max(0, Math.min(acked.length, loaded)))
    },
  }
}

const quantile = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0

/**
 * Time from the HTTP acknowledgement to the event being queryable, under a steady load: `perSecond` events a
 * second in 25-event batches for `seconds`, while `observer` is asked every 25 ms which ones are queryable.
 */
export async function measureFreshness(
  url: string,
  writeKey: string,
  observer: Observer,
  seconds: number,
  perSecond = 1000,
): Promise<Freshness> {
  const run = `fr-${Date.now().toString(36)}`
  const id = (n: number) => `${run}-${String(n).padStart(7, '0')}`
  const ackedAt = new Map<string, number>()
  const order: string[] = []
  const seenAt = new Map<string, number>()
  const batchSize = 25
  const batches = Math.round((seconds * perSecond) / batchSize)
  const gapMs = (1000 * batchSize) / perSecond
  let sending = true
  let lastAck = performance.now()

  const poller = (async () => {
    let low = 0 // every acknowledged id before it has been seen
    while (sending || seenAt.size < order.length) {
      if (!sending && performance.now() - lastAck > 60_000) break // the rest count as never seen
      const seen = await observer.seen(order, low)
      const now = performance.now()
      for (const s of seen) if (!seenAt.has(s)) seenAt.set(s, now)
      while (low < order.length && seenAt.has(order[low]!)) low++
      await sleep(25)
    }
  })()

  const start = performance.now()
  for (let b = 0; b < batches; b++) {
    const wait = start + b * gapMs - performance.now()
    if (wait > 0) await sleep(wait)
    const ids = Array.from({ length: batchSize }, (_, i) => id(b * batchSize + i))
    const res = await post(
      `${url}/v1/batch`,
      {
        batch: ids.map((messageId) => ({
          type: 'track',
          event: 'Freshness Probe',
          anonymousId: run,
          messageId,
        })),
      },
      { authorization: basic(writeKey), 'user-agent': CHROME_UA },
    )
    lastAck = performance.now()
    if (res.status === 200)
      for (const i of ids) {
        ackedAt.set(i, lastAck)
        order.push(i)
      }
  }
  sending = false
  await poller
  const lags = order
    .map((i) => (seenAt.get(i) ?? Number.POSITIVE_INFINITY) - ackedAt.get(i)!)
    .sort((a, b) => a - b)
  return {
    events: order.length,
    eventsPerSecond: perSecond,
    p50Ms: Math.round(quantile(lags, 0.5)),
    p95Ms: Math.round(quantile(lags, 0.95)),
    maxMs: Math.round(lags[lags.length - 1] ?? 0),
    observed: observer.describe,
  }
}
