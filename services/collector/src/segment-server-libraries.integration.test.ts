import { deflateSync, gzipSync } from 'node:zlib'
import { limits } from '@touchpoint/schema'
import { describe, expect, it } from 'vitest'
import { basic, eventually } from '../../../test/helpers/http'
import { keys, useShopCollector } from './testing/shop-collector'

/**
 * What Segment's server and mobile libraries send, against the real collector and engine: their batches posted to
 * /v1/import (Ruby, Java, Android, iOS), bodies compressed with gzip, as some of them send a batch, and the gzipped
 * batches of RudderStack's Node library, a fork of Segment's, which its HTTP client calls form data.
 */
const shop = useShopCollector()
const { q } = shop

/** A raw POST of `body` (bytes as they are), with the shop's write key as Segment's libraries send it. */
async function postRaw(path: string, body: Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${shop.url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(keys.writeKey), 'content-type': 'application/json', ...headers },
    body: new Uint8Array(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const batchOf = (...messageIds: string[]) =>
  JSON.stringify({
    batch: messageIds.map((messageId) => ({
      type: 'track',
      event: 'Library Checked',
      userId: 'u-lib',
      messageId,
    })),
    context: { library: { name: 'analytics-ruby', version: '2.4.0' } },
  })

const stored = (prefix: string, n: number) =>
  eventually(
    () =>
      q<{ message_id: string }>(
        `SELECT message_id FROM events WHERE message_id LIKE '${prefix}%' ORDER BY 1`,
      ),
    (r) => r.length >= n,
  )

describe("Segment's server and mobile libraries", () => {
  it('store a batch posted to /v1/import, with or without a trailing slash', async () => {
    expect((await postRaw('/v1/import', Buffer.from(batchOf('import-1', 'import-2')))).status).toBe(200)
    expect((await postRaw('/v1/import/', Buffer.from(batchOf('import-3')))).status).toBe(200)
    expect((await stored('import-', 3)).map((r) => r.message_id)).toEqual([
      'import-1',
      'import-2',
      'import-3',
    ])
  })

  it('store a batch sent compressed with gzip or deflate', async () => {
    const gzip = await postRaw('/v1/import', gzipSync(batchOf('gzip-1', 'gzip-2')), {
      'content-encoding': 'gzip',
    })
    expect(gzip).toEqual({ status: 200, body: { success: true, accepted: 2, rejected: [] } })
    const deflate = await postRaw('/v1/batch', deflateSync(batchOf('gzip-3')), {
      'content-encoding': 'deflate',
    })
    expect(deflate.status).toBe(200)
    expect(await stored('gzip-', 3)).toHaveLength(3)
  })

  it("store a batch whose content type says form data: RudderStack's gzipped batches, curl -d", async () => {
    // RudderStack's Node library (a fork of Segment's) gzips each batch and lets its HTTP client name the type of a
    // Buffer; curl -d names form data unless told otherwise. Both hold JSON, and are read as such.
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const rudder = await postRaw('/v1/batch', gzipSync(batchOf('form-1', 'form-2')), {
      ...form,
      'content-encoding': 'gzip',
      'user-agent': 'analytics-node/3.0.13',
    })
    expect(rudder).toEqual({ status: 200, body: { success: true, accepted: 2, rejected: [] } })
    expect((await postRaw('/v1/batch', Buffer.from(batchOf('form-3')), form)).status).toBe(200)
    expect(await stored('form-', 3)).toHaveLength(3)
    // what is form data indeed is no JSON, and is refused as such, saying where it broke
    const pairs = await postRaw('/v1/track', Buffer.from('event=Signed+Up&userId=u-lib'), form)
    expect(pairs).toMatchObject({
      status: 400,
      body: {
        code: 'TP_ERR_MALFORMED_JSON',
        message: expect.stringMatching(/^The body is not valid JSON: Unexpected token/),
      },
    })
  })

  it('measure each event of a compressed batch, whose length says nothing of their size', async () => {
    // one event of 40 KB compresses to a few hundred bytes: it is over the per-event limit all the same
    const big = {
      type: 'track',
      event: 'Too Big',
      userId: 'u-lib',
      messageId: 'big-1',
      properties: { x: 'a'.repeat(40_000) },
    }
    const res = await postRaw('/v1/import', gzipSync(JSON.stringify({ batch: [big] })), {
      'content-encoding': 'gzip',
    })
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(0)
    expect(res.body.rejected).toEqual([
      expect.objectContaining({
        messageId: 'big-1',
        issues: [
          { path: '', message: expect.stringContaining(`over the ${limits.MAX_EVENT_BYTES}-byte limit`) },
        ],
      }),
    ])
  })

  it('refuse a body that inflates past the limit, one that does not decompress, and another encoding', async () => {
    // 2 MB of spaces compress to about 2 KB: the limit holds for what the body inflates to
    const bomb = gzipSync(Buffer.from(`{"batch":[]${' '.repeat(2 * 1024 * 1024)}}`))
    expect(bomb.length).toBeLessThan(10_000)
    const tooLarge = await postRaw('/v1/import', bomb, { 'content-encoding': 'gzip' })
    expect(tooLarge).toMatchObject({ status: 413, body: { code: 'TP_ERR_BODY_TOO_LARGE' } })
    const broken = await postRaw('/v1/import', Buffer.from(batchOf('broken-1')), {
      'content-encoding': 'gzip',
    })
    expect(broken.status).toBe(400)
    expect(broken.body.code).toBe('TP_ERR_INVALID_BODY')
    expect(broken.body.message).toMatch(/^The body does not decompress as its Content-Encoding says/)
    const brotli = await postRaw('/v1/import', Buffer.from(batchOf('br-1')), { 'content-encoding': 'br' })
    expect(brotli).toMatchObject({
      status: 415,
      body: {
        code: 'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
        message: 'Content-Encoding br: send gzip, deflate or none',
      },
    })
  })

  it('store what Segment\'s Ruby library sends: a page without a name or a user id as "", what is unset as null', async () => {
    // analytics-ruby 2.x's client, as it builds its calls: a page's name as `nil.to_s`, its category, integrations,
    // options and the id not given as nil, which its JSON writes as null
    const common = {
      userId: 'u-ruby',
      anonymousId: null,
      integrations: null,
      options: null,
      context: { library: { name: 'analytics-ruby', version: '2.2.8' } },
      timestamp: new Date().toISOString(),
    }
    const batch = [
      {
        ...common,
        type: 'page',
        name: '',
        category: null,
        properties: { url: 'https://shop.example/account' },
        messageId: 'ruby-page-1',
      },
      { ...common, type: 'identify', traits: { plan: 'pro' }, messageId: 'ruby-identify-1' },
      // a visitor not signed in, as `user_id: current_user&.id.to_s` gives it: an empty user id beside the anonymous
      {
        ...common,
        userId: '',
        anonymousId: 'anon-ruby',
        type: 'track',
        event: 'Docs Read',
        messageId: 'ruby-track-1',
      },
    ]
    const res = await postRaw('/v1/import', Buffer.from(JSON.stringify({ batch })))
    expect(res).toEqual({ status: 200, body: { success: true, accepted: 3, rejected: [] } })
    await stored('ruby-', 3)
    const rows = await q<Record<string, string>>(
      `SELECT message_id, type, event, path, properties, library_name FROM events WHERE message_id LIKE 'ruby-%' ORDER BY message_id`,
    )
    const people = await q<Record<string, string>>(
      `SELECT user_id, anonymous_id FROM events WHERE message_id = 'ruby-track-1'`,
    )
    expect(people).toEqual([{ user_id: '', anonymous_id: 'anon-ruby' }])
    expect(rows).toEqual([
      {
        message_id: 'ruby-identify-1',
        type: 'identify',
        event: 'Identify',
        path: '',
        properties: '{}',
        library_name: 'analytics-ruby',
      },
      {
        message_id: 'ruby-page-1',
        type: 'page',
        event: 'Page Viewed',
        path: '/account',
        // no name: the page had none
        properties: '{"url":"https://shop.example/account"}',
        library_name: 'analytics-ruby',
      },
      {
        message_id: 'ruby-track-1',
        type: 'track',
        event: 'Docs Read',
        path: '',
        properties: '{}',
        library_name: 'analytics-ruby',
      },
    ])
  })

  it("count an app's and a server's events as people's, not as a bot's by their HTTP client", async () => {
    const android = {
      batch: [{ type: 'screen', name: 'Home', anonymousId: 'app-1', messageId: 'app-android-1' }],
      context: {
        library: { name: 'analytics-android', version: '4.11.3' },
        device: { manufacturer: 'Google', model: 'Pixel 7', type: 'android' },
        os: { name: 'Android', version: '14' },
        app: { name: 'Shop', version: '3.2.0' },
      },
    }
    const ruby = {
      batch: [{ type: 'track', event: 'Invoice Paid', userId: 'u-lib', messageId: 'app-ruby-1' }],
      context: { library: { name: 'analytics-ruby', version: '2.4.0' } },
    }
    const headers = (userAgent: string) => ({ 'user-agent': userAgent })
    expect(
      (await postRaw('/v1/import', Buffer.from(JSON.stringify(android)), headers('okhttp/4.12.0'))).status,
    ).toBe(200)
    expect(
      (await postRaw('/v1/import', Buffer.from(JSON.stringify(ruby)), headers('analytics-ruby/2.4.0')))
        .status,
    ).toBe(200)
    // a crawler that names no library is still one
    const crawler = { batch: [{ type: 'page', anonymousId: 'crawler-1', messageId: 'app-crawler-1' }] }
    const bot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
    expect((await postRaw('/v1/batch', Buffer.from(JSON.stringify(crawler)), headers(bot))).status).toBe(200)
    await stored('app-', 3)
    const rows = await q<Record<string, string | number>>(
      `SELECT message_id, is_bot, os, os_version, device_type, device_vendor, device_model, browser FROM events WHERE message_id LIKE 'app-%' ORDER BY message_id`,
    )
    expect(rows).toEqual([
      {
        message_id: 'app-android-1',
        is_bot: 0,
        os: 'Android',
        os_version: '14',
        device_type: 'mobile',
        device_vendor: 'Google',
        device_model: 'Pixel 7',
        browser: '',
      },
      expect.objectContaining({ message_id: 'app-crawler-1', is_bot: 1 }),
      {
        message_id: 'app-ruby-1',
        is_bot: 0,
        os: '',
        os_version: '',
        device_type: '',
        device_vendor: '',
        device_model: '',
        browser: '',
      },
    ])
  })
})
