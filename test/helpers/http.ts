/** Small HTTP helpers for tests that talk to a real collector. */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A desktop Chrome user agent: headless Chromium's own and Node's fetch's are flagged as bots by the collector. */
export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

/** Starts `server` on a free port of 127.0.0.1 and answers its origin (http://127.0.0.1:PORT). */
export async function listenLocally(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

export function basic(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers }
}

export async function sql<T = Record<string, unknown>>(
  baseUrl: string,
  adminKey: string,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const res = await post(`${baseUrl}/api/sql`, { query, params }, { authorization: `Bearer ${adminKey}` })
  if (res.status !== 200) throw new Error(`sql failed ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body.rows as T[]
}

/** Polls until `fn` returns a value that `done` accepts, or throws after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T = await fn()
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 50))
    last = await fn()
  }
  return last
}
