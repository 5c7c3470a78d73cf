import { parseArgs } from 'node:util'
import type { CliConfig } from '../config'
import { counted } from '../table'

/** What `touchpoint status` found, for --json and the exit code. */
export interface Status {
  url: string
  /** whether the service answered /readyz at all */
  answered: boolean
  ready: boolean
  /** ok, degraded, down or starting */
  status: string
  reason?: string
  storage?: string
  /** the service's counters and gauges since it started, each summed over its labels */
  metrics: Record<string, number>
}

/** How long it waits for the service to answer. */
const TIMEOUT_MS = 5000

/**
 * `touchpoint status`: what the running collector (or an ingester, at TOUCHPOINT_URL) says of itself: /readyz, and
 * the figures of /metrics an operator asks first. Exit code 0 when it is ready and ok, 1 when degraded, 2 when it is
 * not ready or does not answer: for a script or a cron job.
 */
export async function statusCommand(
  config: CliConfig,
  args: string[],
): Promise<{ out: string; code: number }> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } })
  const gone = config.collectorGone
  const status = gone
    ? notAnswering(
        config.collectorUrl,
        `the collector on ${config.dataDir} (process ${gone.pid}) is no longer running: start it, or point TOUCHPOINT_URL (or PORT) at another`,
      )
    : await statusOf(config.collectorUrl)
  const code = !status.ready ? 2 : status.status === 'ok' ? 0 : 1
  return { out: values.json ? `${JSON.stringify(status, null, 2)}\n` : statusText(status), code }
}

const notAnswering = (url: string, reason: string): Status => ({
  url,
  answered: false,
  ready: false,
  status: 'not answering',
  reason,
  metrics: {},
})

async function statusOf(url: string): Promise<Status> {
  const get = (path: string) => fetch(`${url}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  let ready: { ready?: boolean; status?: string; reason?: string; storage?: string }
  try {
    ready = (await (await get('/readyz')).json()) as typeof ready
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message)
    return notAnswering(url, `${why}: start it, or point TOUCHPOINT_URL (or PORT) at it`)
  }
  const metrics = await get('/metrics')
    .then(async (r) => (r.ok ? metricSums(await r.text()) : {}))
    .catch(() => ({}))
  return {
    url,
    answered: true,
    ready: ready.ready === true,
    status: ready.status ?? 'unknown',
    ...(ready.reason && { reason: ready.reason }),
    ...(ready.storage && { storage: ready.storage }),
    metrics,
  }
}

/**
 * Prometheus text exposition: each metric's samples summed over their labels (a histogram's `_sum` and `_count`
 * apart, its buckets left out), and 0 for a counter or gauge declared with no sample.
 */
export function metricSums(text: string): Record<string, number> {
  const sums: Record<string, number> = {}
  for (const line of text.split('\n')) {
    // a metric with no sample yet (a counter by label, nothing counted) is there, at 0
    const typed = /^# TYPE (\S+) (counter|gauge)$/.exec(line)
    if (typed) sums[typed[1]!] ??= 0
    if (!line || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{.*\})?\s+(\S+)/.exec(line)
    // a histogram's buckets are cumulative: summed, they say nothing
    if (!match || match[1]!.endsWith('_bucket')) continue
    const value = Number(match[2])
    if (Number.isFinite(value)) sums[match[1]!] = (sums[match[1]!] ?? 0) + value
  }
  return sums
}

/** A figure of /metrics as a count of its noun (a gauge read at a moment can be fractional: rounded) */
const n = (v: number | undefined, one: string, many?: string) => counted(Math.round(v ?? 0), one, many)
const bytes = (v: number | undefined) => {
  const b = v ?? 0
  return b < 1024
    ? `${b} B`
    : b < 1024 ** 2
      ? `${(b / 1024).toFixed(1)} KiB`
      : `${(b / 1024 ** 2).toFixed(1)} MiB`
}

/** The status as lines: the service's state, then its figures since it started (a collector's or an ingester's). */
export function statusText(s: Status): string {
  const state = s.answered ? `${s.ready ? 'ready' : 'not ready'}, ${s.status}` : 'not answering'
  const lines = [
    `${s.url}: ${state}${s.storage ? `; storage ${s.storage}` : ''}`,
    ...(s.reason ? [`  ${s.reason}`] : []),
  ]
  const m = s.metrics
  if ('touchpoint_ingester_rows_loaded_total' in m)
    lines.push(
      `  since it started: ${n(m.touchpoint_ingester_rows_loaded_total, 'row')} loaded, ${n(m.touchpoint_ingester_duplicates_total, 'duplicate')} dropped, ${n(m.touchpoint_ingester_dead_lettered_total, 'message')} dead-lettered`,
      `  Kafka: ${n(m.touchpoint_ingester_consumer_lag_total, 'message')} waiting, ${n(m.touchpoint_ingester_consumer_restarts_total, 'consumer restart')}, ${n(m.touchpoint_ingester_messages_expired_total, 'message')} expired unread`,
    )
  else if ('touchpoint_events_accepted_total' in m) {
    lines.push(
      `  since it started: ${n(m.touchpoint_events_accepted_total, 'event')} accepted, ${n(m.touchpoint_events_rejected_total, 'call')} rejected, ${n(m.touchpoint_rate_limited_total, 'request')} rate-limited`,
    )
    // only the Kafka sink has this gauge
    if ('touchpoint_kafka_degraded' in m)
      lines.push(
        `  Kafka: ${n(m.touchpoint_kafka_produced_total, 'record')} produced, ${bytes(m.touchpoint_spool_queued_bytes)} spooled while it was away`,
      )
    else
      lines.push(
        `  loading: ${n(m.touchpoint_events_loaded_total, 'event')} loaded, ${bytes(m.touchpoint_spool_queued_bytes)} waiting in the spool`,
      )
  }
  return `${lines.join('\n')}\n`
}
