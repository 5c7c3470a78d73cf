import { limits } from '@touchpoint/schema'

export interface TouchpointOptions {
  /** The project's write key: for calls made on a visitor's behalf. IP and back-dated timestamps are ignored. */
  writeKey?: string
  /** The project's secret key: trusted server calls that may set context.ip and historic timestamps. */
  secretKey?: string
  /** The collector's base URL. Default http://localhost:8080. */
  host?: string
  /** Send as soon as this many calls are queued. Default 20. */
  flushAt?: number
  /** Send whatever is queued after this many milliseconds. Default 10,000. */
  flushInterval?: number
  /** Most calls in one request (the collector takes up to 1,000). Default 500. */
  maxBatchEvents?: number
  /** Most bytes of calls in one request (the collector reads up to 1 MiB). Default 480 KiB. */
  maxBatchBytes?: number
  /** Most calls held while the collector is slow or away; beyond it, calls are dropped through onDrop. */
  maxQueueSize?: number
  /** Requests in flight at once. Default 4. */
  maxInFlight?: number
  /** Attempts after the first, on network errors, timeouts, 429 and 5xx. Default 10 (about two minutes). */
  maxRetries?: number
  /** First retry delay, doubled per attempt with jitter, in milliseconds. Default 250. */
  retryMinDelay?: number
  /** Longest delay between two attempts (unless Retry-After asks for longer). Default 30,000. */
  retryMaxDelay?: number
  /** One request's time limit, in milliseconds. Default 15,000. */
  timeout?: number
  /** With a secret key: record the calls as an import rather than as live server events. */
  source?: 'server' | 'import'
  /** Called with every call that will not be delivered, and why. Default: a process warning. */
  onDrop?: (messages: Array<Record<string, unknown>>, reason: string) => void
  /** Called with calls the collector refused (and kept in events_rejected), with its reasons. */
  onRejected?: (
    rejections: Array<{ message: Record<string, unknown>; issues: Array<{ path: string; message: string }> }>,
  ) => void
  /**
   * Send what is queued before the process ends: when it has nothing else to do, and on SIGTERM and SIGINT, which
   * then end it as they would have (client/exit.ts). Default true. `process.exit()` cannot wait: call close() first.
   */
  flushOnExit?: boolean
  /** How long SIGTERM or SIGINT waits for the queued calls to be acknowledged, in milliseconds. Default 5,000. */
  exitTimeout?: number
  /** For tests and proxies. Default: the global fetch. */
  fetch?: typeof fetch
}

export type ResolvedOptions = Required<
  Omit<TouchpointOptions, 'writeKey' | 'secretKey' | 'source' | 'onRejected'>
> &
  Pick<TouchpointOptions, 'source' | 'onRejected'> & { key: string; trusted: boolean }

const positive = (
  name: string,
  value: number | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
) => {
  const v = value ?? fallback
  if (!Number.isFinite(v) || v < 0 || v > max)
    throw new RangeError(`Touchpoint: ${name} must be from 0 to ${max}`)
  return v
}

export function resolveOptions(o: TouchpointOptions): ResolvedOptions {
  const key = o.secretKey ?? o.writeKey
  if (!key) throw new TypeError('Touchpoint: pass writeKey or secretKey')
  if (o.source === 'import' && !o.secretKey) throw new TypeError('Touchpoint: an import needs the secret key')
  return {
    key,
    trusted: o.secretKey !== undefined,
    host: (o.host ?? 'http://localhost:8080').replace(/\/+$/, ''),
    flushAt: Math.max(1, positive('flushAt', o.flushAt, 20)),
    flushInterval: positive('flushInterval', o.flushInterval, 10_000),
    maxBatchEvents: Math.max(
      1,
      positive('maxBatchEvents', o.maxBatchEvents, 500, limits.MAX_EVENTS_PER_BATCH),
    ),
    maxBatchBytes: positive('maxBatchBytes', o.maxBatchBytes, 480 * 1024, limits.MAX_BODY_BYTES - 1024),
    maxQueueSize: positive('maxQueueSize', o.maxQueueSize, 100_000),
    maxInFlight: Math.max(1, positive('maxInFlight', o.maxInFlight, 4, 64)),
    maxRetries: positive('maxRetries', o.maxRetries, 10),
    retryMinDelay: positive('retryMinDelay', o.retryMinDelay, 250),
    retryMaxDelay: positive('retryMaxDelay', o.retryMaxDelay, 30_000),
    timeout: positive('timeout', o.timeout, 15_000),
    flushOnExit: o.flushOnExit ?? true,
    exitTimeout: positive('exitTimeout', o.exitTimeout, 5_000),
    source: o.source,
    onDrop:
      o.onDrop ??
      ((messages, reason) =>
        process.emitWarning(`${messages.length} call(s) dropped: ${reason}`, { code: 'TOUCHPOINT_DROP' })),
    onRejected: o.onRejected,
    fetch: o.fetch ?? fetch,
  }
}
