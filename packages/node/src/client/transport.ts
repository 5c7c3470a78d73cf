import { parseRetryAfter } from './backoff'
import type { Queued } from './queue'

/** What one POST of a batch came to. */
export type SendOutcome =
  | { kind: 'ok'; rejected: RejectedByCollector[] }
  /** worth trying again: network error, timeout, 408, 429, 5xx */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** the collector refused the whole request (bad key, malformed body): sending it again would not help */
  | { kind: 'fatal'; reason: string }

export interface RejectedByCollector {
  index: number
  messageId?: string
  issues: Array<{ path: string; message: string }>
}

export interface TransportOptions {
  endpoint: string
  authorization: string
  timeoutMs: number
  source?: 'server' | 'import' | undefined
  fetch: typeof fetch
}

export const USER_AGENT = 'touchpoint-node/0.1.0'

/** POSTs one batch to /v1/batch. sentAt is set per attempt, so the collector can correct for clock skew. */
export async function sendBatch(batch: readonly Queued[], o: TransportOptions): Promise<SendOutcome> {
  const body = `{"sentAt":${JSON.stringify(new Date().toISOString())},"batch":[${batch.map((q) => q.json).join(',')}]}`
  let res: Response
  try {
    res = await o.fetch(o.endpoint, {
      method: 'POST',
      body,
      headers: {
        authorization: o.authorization,
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        ...(o.source && { 'x-touchpoint-source': o.source }),
      },
      signal: AbortSignal.timeout(o.timeoutMs),
    })
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const cause = e.cause?.code ?? e.cause?.message
    return { kind: 'retry', reason: cause ? `${e.message} (${cause})` : e.message }
  }
  let text = ''
  try {
    text = await res.text()
  } catch (err) {
    // the answer was cut off: the batch may or may not have landed, and a retry counts once either way
    return { kind: 'retry', reason: `reading the answer: ${(err as Error).message}` }
  }
  if (res.ok) {
    try {
      const parsed = JSON.parse(text) as { rejected?: RejectedByCollector[] }
      return { kind: 'ok', rejected: Array.isArray(parsed.rejected) ? parsed.rejected : [] }
    } catch {
      return { kind: 'ok', rejected: [] }
    }
  }
  const reason = `HTTP ${res.status}${describe(text)}`
  if (res.status === 408 || res.status === 429 || res.status >= 500)
    return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) }
  return { kind: 'fatal', reason }
}

function describe(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: string; message?: string }
    return body.code ? `: ${body.code}${body.message ? ` (${body.message})` : ''}` : ''
  } catch {
    return ''
  }
}
