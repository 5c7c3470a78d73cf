import type { CliConfig } from '../config'

/**
 * POSTs a JSON body to the running collector with the admin key. Returns undefined when no collector answers (the
 * caller then opens ClickHouse itself), the body on success, and throws `CODE: message` on a refusal.
 */
export async function postToCollector<T>(
  config: CliConfig,
  path: string,
  body: unknown,
): Promise<T | undefined> {
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
  const answer = (await res.json()) as T & { code?: string; message?: string }
  if (!res.ok) throw new Error(`${answer.code ?? res.status}: ${answer.message ?? 'request failed'}`)
  return answer
}
