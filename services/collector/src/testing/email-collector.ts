import { createEmailTracker } from '@touchpoint/node'
import { afterAll, beforeAll } from 'vitest'
import { sql } from '../../../../test/helpers/http'
import { startTestCollector } from '../../../../test/helpers/in-process'
import type { RunningCollector } from '../server'

export const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
export const GMAIL =
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)'
export const ADMIN = 'admin-key-0123456789abcdef'
export const SECRET = 'sk_shop_0123456789abcdef'
export const OLD_KEY = { id: 'k2025', secret: 'old-secret-0123456789-0123456789-abc' }
export const NEW_KEY = { id: 'k2026', secret: 'new-secret-0123456789-0123456789-xyz' }
export const hourAgo = new Date(Date.now() - 3_600_000)

/**
 * A collector in the test file's process for the email routes' tests, started before them and closed after:
 * project `shop` with two email keys (the old one still configured: mail sent before a rotation keeps working),
 * and the real tracker of @touchpoint/node signing with the new one. `q` runs read-only SQL with the admin key,
 * `get` fetches a URL as a mail client would (no redirect followed), `msg` is one recipient's email of a
 * campaign sent an hour ago, and `emailEvents` reads a campaign's email events back.
 */
export function useEmailCollector() {
  let collector: RunningCollector | undefined
  let tracker: ReturnType<typeof createEmailTracker> | undefined
  beforeAll(async () => {
    ;({ collector } = await startTestCollector({
      adminKey: ADMIN,
      projects: [
        {
          id: 'shop',
          writeKey: 'wk_shop_123456',
          secretKey: SECRET,
          email: { keys: [NEW_KEY, OLD_KEY], utmSource: 'newsletter' },
        },
      ],
    }))
    tracker = createEmailTracker({ baseUrl: collector.url, projectId: 'shop', keys: [NEW_KEY] })
  })
  afterAll(() => collector?.close())
  const mail = {
    get url(): string {
      if (!collector) throw new Error('the collector has not started')
      return collector.url
    },
    get tracker(): ReturnType<typeof createEmailTracker> {
      if (!tracker) throw new Error('the collector has not started')
      return tracker
    },
    q: <T = Record<string, unknown>>(query: string, params: Record<string, unknown> = {}) =>
      sql<T>(mail.url, ADMIN, query, params),
    get: (url: string, ua: string, method = 'GET') =>
      fetch(url, { method, redirect: 'manual', headers: { 'user-agent': ua } }),
    msg: (recipient: string, campaignId = 'spring') => ({
      campaignId,
      messageId: `${campaignId}-${recipient}`,
      recipient,
      sentAt: hourAgo,
    }),
    emailEvents: (campaign: string) =>
      mail.q<{
        event: string
        user_id: string
        props: string
        utm_campaign: string
        channel: string
        is_bot: number
      }>(
        `SELECT event, user_id, properties AS props, utm_campaign, channel, is_bot FROM events
         WHERE source = 'email' AND JSONExtractString(properties, 'campaignId') = {c:String} ORDER BY timestamp, user_id`,
        { c: campaign },
      ),
  }
  return mail
}
