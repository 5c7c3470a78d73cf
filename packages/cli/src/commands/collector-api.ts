import type { CliConfig } from '../config'

/**
 * POSTs a JSON body to the running collector with the admin key. Returns undefined when no collector answers, or
 * the one that ran on the data directory is gone (the caller then opens ClickHouse itself), the body on success, and throws `CODE: message` on a refusal.
 */
export async function postToCollector<T>(
  config: CliConfig,
  path: string,
  body: unknown,
): Promise<T | undefined> {
  const res = await post(config, path, body)
  return res && ((await res.json()) as T)
}

/** As postToCollector, for an answer read as a stream (an NDJSON export): its body, unread. */
export async function streamFromCollector(
  config: CliConfig,
  path: string,
  body: unknown,
): Promise<ReadableStream<Uint8Array> | undefined> {
  const res = await post(config, path, body)
  return res && (res.body ?? undefined)
}

/** The collector's answer when it is a success; undefined when no collector answers; throws on a refusal. */
async function post(config: CliConfig, path: string, body: unknown): Promise<Response | undefined> {
  if (config.collectorGone) return undefined
  let res: Response
  try {
    res = await fetch(`${config.collectorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${config.adminKey ?? ''}` },
      body: JSON.stringify(body),
    })
  } catch {
    return undefined
  }
  if (res.ok) return res
  const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string }
  throw new Error(`${answer.code ?? res.status}: ${answer.message ?? 'request failed'}`)
}
