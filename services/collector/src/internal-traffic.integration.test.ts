import { createEmailTracker } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, CHROME_UA, eventually, post, sql } from '../../../test/helpers/http'
import { startTestCollector } from '../../../test/helpers/in-process'
import type { RunningCollector } from './server'

/** A project's own addresses (`internalIps`): its visits are stored as internal traffic, which reports leave out. */
const ADMIN = 'admin-key-0123456789abcdef'
// the test's requests come from 127.0.0.1: the shop names it as its office, the blog does not
const MAIL_KEY = { id: 'k1', secret: 'mail-secret-0123456789-0123456789-abc' }
const SHOP = {
  id: 'shop',
  writeKey: 'tpw_shop_0123456789',
  secretKey: 'tps_shop_0123456789abcdef',
  internalIps: ['10.0.0.0/8', '127.0.0.0/24'],
  email: { keys: [MAIL_KEY] },
}
const BLOG = {
  id: 'blog',
  writeKey: 'tpw_blog_0123456789',
  internalIps: ['203.0.113.0/24'],
  email: { keys: [MAIL_KEY] },
}
let collector: RunningCollector

beforeAll(async () => {
  collector = (await startTestCollector({ adminKey: ADMIN, projects: [SHOP, BLOG] })).collector
})
afterAll(async () => collector?.close())

const page = (key: string, messageId: string) =>
  post(
    `${collector.url}/v1/page`,
    { anonymousId: 'a-1', messageId, properties: { url: 'https://shop.example/' } },
    { authorization: basic(key), 'user-agent': CHROME_UA },
  )
const flag = async (messageId: string) =>
  (
    await eventually(
      () =>
        sql<{ is_bot: number }>(
          collector.url,
          ADMIN,
          'SELECT is_bot FROM events WHERE message_id = {m:String}',
          {
            m: messageId,
          },
        ),
      (rows) => rows.length === 1,
    )
  )[0]!.is_bot

describe('internal traffic', () => {
  it("is stored, flagged, and left out of the reports; another project's and a server's calls are not", async () => {
    expect((await page(SHOP.writeKey, 'shop-page')).status).toBe(200)
    expect((await page(BLOG.writeKey, 'blog-page')).status).toBe(200)
    const order = await post(
      `${collector.url}/v1/track`,
      {
        userId: 'u-1',
        messageId: 'shop-order',
        event: 'Order Completed',
        properties: { orderId: 'O-1', revenue: 10, currency: 'EUR', channel: 'web' },
      },
      { authorization: basic(SHOP.secretKey) },
    )
    expect(order.status).toBe(200)
    expect(await flag('shop-page')).toBe(2)
    expect(await flag('blog-page')).toBe(0)
    expect(await flag('shop-order')).toBe(0)

    const today = new Date().toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const events = (project: string) =>
      post(
        `${collector.url}/api/reports/events`,
        { project, from: today, to: tomorrow },
        { authorization: `Bearer ${ADMIN}` },
      )
    expect((await events('shop')).body.rows.map((r: { event: string }) => r.event)).toEqual([
      'Order Completed',
    ])
    expect((await events('blog')).body.rows.map((r: { event: string }) => r.event)).toEqual(['Page Viewed'])
  })

  it("takes an email's opens and clicks from the project's own addresses for internal traffic too", async () => {
    // a colleague trying the campaign from the office: the shop's opens and clicks are internal, the blog's not
    const ask = (url: string) => fetch(url, { redirect: 'manual', headers: { 'user-agent': CHROME_UA } })
    const email = {
      campaignId: 'launch',
      messageId: 'launch-1',
      recipient: 'colleague-1',
      sentAt: new Date(Date.now() - 60_000),
    }
    for (const project of [SHOP, BLOG]) {
      const tracker = createEmailTracker({ baseUrl: collector.url, projectId: project.id, keys: [MAIL_KEY] })
      expect((await ask(tracker.pixelUrl(email))).status).toBe(200)
      expect((await ask(tracker.linkUrl('https://shop.example/launch', email))).status).toBe(302)
    }
    const rows = await eventually(
      () =>
        sql<{ project_id: string; event: string; is_bot: number }>(
          collector.url,
          ADMIN,
          "SELECT project_id, event, is_bot FROM events WHERE source = 'email' ORDER BY project_id, event",
        ),
      (r) => r.length === 4,
    )
    expect(rows).toEqual([
      { project_id: 'blog', event: 'Email Clicked', is_bot: 0 },
      { project_id: 'blog', event: 'Email Opened', is_bot: 0 },
      { project_id: 'shop', event: 'Email Clicked', is_bot: 2 },
      { project_id: 'shop', event: 'Email Opened', is_bot: 2 },
    ])
    // the campaign's report leaves the internal ones out
    const today = new Date().toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const report = async (project: string) =>
      (
        await post(
          `${collector.url}/api/reports/email`,
          { project, from: today, to: tomorrow },
          { authorization: `Bearer ${ADMIN}` },
        )
      ).body.campaigns
    expect(await report('shop')).toEqual([])
    expect(await report('blog')).toMatchObject([{ campaign: 'launch', uniqueOpens: 1, uniqueClicks: 1 }])
  })

  it('refuses a range that is no CIDR range at start, naming the field', async () => {
    await expect(
      startTestCollector({ adminKey: ADMIN, projects: [{ ...BLOG, internalIps: ['203.0.113.7'] }] }),
    ).rejects.toThrow(/projects\.0\.internalIps\.0: a CIDR range/)
  })
})
