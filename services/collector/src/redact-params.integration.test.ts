import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, CHROME_UA, eventually, post, sql } from '../../../test/helpers/http'
import { startTestCollector } from '../../../test/helpers/in-process'
import type { RunningCollector } from './server'

/** A project's own `redactParams`, on top of the built-in names, as a site's URLs reach the table. */
const ADMIN = 'admin-key-0123456789abcdef'
const SHOP = { id: 'shop', writeKey: 'tpw_shop_0123456789', redactParams: ['session', 'Phone'] }
const BLOG = { id: 'blog', writeKey: 'tpw_blog_0123456789' }
let collector: RunningCollector
let dir: string

beforeAll(async () => {
  const started = await startTestCollector({ adminKey: ADMIN, projects: [SHOP, BLOG] })
  collector = started.collector
  dir = started.dir
})
afterAll(async () => collector?.close())

const page = (key: string, messageId: string, url: string) =>
  post(
    `${collector.url}/v1/page`,
    { anonymousId: 'a-1', messageId, properties: { url, referrer: url } },
    { authorization: basic(key), 'user-agent': CHROME_UA },
  )
const stored = (messageId: string) =>
  eventually(
    () =>
      sql<{ url: string; referrer: string }>(
        collector.url,
        ADMIN,
        'SELECT url, referrer FROM events WHERE message_id = {m:String}',
        { m: messageId },
      ),
    (rows) => rows.length === 1,
  ).then((rows) => rows[0]!)

describe("a project's own redacted parameters", () => {
  it("are redacted in that project's URLs, with the built-in ones; another project keeps them", async () => {
    const url = 'https://shop.example/track?session=s3cr3t&PHONE=%2B4915123&token=t0k&ref=news'
    expect((await page(SHOP.writeKey, 'shop-1', url)).status).toBe(200)
    expect((await page(BLOG.writeKey, 'blog-1', url)).status).toBe(200)
    const shop = await stored('shop-1')
    expect(shop.url).toBe(
      'https://shop.example/track?session=(redacted)&PHONE=(redacted)&token=(redacted)&ref=news',
    )
    expect(shop.referrer).toBe(shop.url)
    const blog = await stored('blog-1')
    expect(blog.url).toBe(
      'https://shop.example/track?session=s3cr3t&PHONE=%2B4915123&token=(redacted)&ref=news',
    )
  })

  it('take effect when the projects file changes, without a restart', async () => {
    const file = join(dir, 'projects.json')
    const config = JSON.parse(readFileSync(file, 'utf8'))
    config.projects[0].redactParams = ['session', 'ref']
    writeFileSync(file, JSON.stringify(config))
    let n = 0
    await eventually(
      async () => {
        const id = `shop-reload-${n++}`
        await page(SHOP.writeKey, id, 'https://shop.example/?ref=news')
        return (await stored(id)).url
      },
      (url) => url === 'https://shop.example/?ref=(redacted)',
    )
  })
})
