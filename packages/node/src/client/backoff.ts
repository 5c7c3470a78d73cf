/**
 * How long to wait before retrying a batch: exponential from `minMs`, capped at `maxMs`, with "equal jitter"
 * (half the delay fixed, half random) so that many clients that failed together do not retry together, and no
 * retry comes sooner than half its step. A server's Retry-After wins when it asks for longer.
 */
export function retryDelay(
  attempt: number,
  { minMs, maxMs }: { minMs: number; maxMs: number },
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30))
  const jittered = step / 2 + random() * (step / 2)
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : Math.round(jittered)
}

/** Longest wait a Retry-After header may impose, so a misconfigured proxy cannot stall a client for days. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` → milliseconds from `now`. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now
  if (!Number.isFinite(ms)) return undefined
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms))
}
