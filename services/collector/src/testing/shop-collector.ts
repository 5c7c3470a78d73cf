import { afterAll, beforeAll } from 'vitest'
import { basic, post, sql } from '../../../../test/helpers/http'
import { startTestCollector } from '../../../../test/helpers/in-process'
import type { RunningCollector } from '../server'

export const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

export const keys = {
  adminKey: 'admin-key-0123456789abcdef',
  writeKey: 'wk_shop_123456',
  secretKey: 'sk_shop_0123456789abcdef',
  lockedKey: 'wk_locked_12345',
}

/**
 * A collector in the test file's process for the collector's own integration tests, started before them and
 * closed after: project `shop` (every origin), and project `locked`, which allows one origin only. `q` runs
 * read-only SQL with the admin key; `send` posts a body with a project key (the shop's write key by default).
 */
export function useShopCollector() {
  let collector: RunningCollector | undefined
  beforeAll(async () => {
    ;({ collector } = await startTestCollector({
      adminKey: keys.adminKey,
      projects: [
        { id: 'shop', writeKey: keys.writeKey, secretKey: keys.secretKey, allowedOrigins: ['*'] },
        { id: 'locked', writeKey: keys.lockedKey, allowedOrigins: ['https://shop.example'] },
      ],
    }))
  })
  afterAll(async () => {
    await collector?.close()
  })
  const shop = {
    get url(): string {
      if (!collector) throw new Error('the collector has not started')
      return collector.url
    },
    q: <T = Record<string, unknown>>(query: string, params: Record<string, unknown> = {}) =>
      sql<T>(shop.url, keys.adminKey, query, params),
    send: (path: string, body: unknown, key = keys.writeKey, headers: Record<string, string> = {}) =>
      post(`${shop.url}${path}`, body, { authorization: basic(key), ...headers }),
  }
  return shop
}
