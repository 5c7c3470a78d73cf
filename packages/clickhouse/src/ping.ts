import type { ClickHouse } from './client'

/** How long a readiness check waits for ClickHouse to answer a ping. */
export const PING_TIMEOUT_MS = 2000

/**
 * Whether ClickHouse answers a ping within `timeoutMs`: false for a server that refuses the connection, fails, or
 * hangs. The embedded engine always answers. For the services' /readyz, which must answer whatever storage does.
 */
export const answersPing = (ch: ClickHouse, timeoutMs = PING_TIMEOUT_MS): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    ch.client.ping().then((r) => r.success),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs).unref()
    }),
  ])
    .catch(() => false)
    .finally(() => clearTimeout(timer))
}
