import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DevShop, startDevShop } from '../examples/website/dev-shop'
import { loadConfig } from '../services/collector/src/config'
import type { RunningCollector } from '../services/collector/src/server'
import { cli, keysIn } from './helpers/collector'
import { basic, CHROME_UA, eventually, post } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * `pnpm start`'s example shop (examples/website/dev-shop.ts) shows its spring-sale email at /email: every link
 * leads through the collector to a page of the shop, the send is recorded, and an open and a click land in the
 * email report, the recipient's. Its pages follow the project's keys as they rotate.
 */
let collector: RunningCollector
let dir: string
let site: DevShop['site']

beforeAll(async () => {
  // no projects file: the collector creates the dev project, with email keys, as a first `pnpm start` does
  ;({ collector, dir } = await startTestCollector())
  const config = loadConfig({ TOUCHPOINT_DATA_DIR: dir, HOST: '127.0.0.1' })
  site = (await startDevShop(config, { collector: collector.url, port: 0 }))!.site
})
afterAll(async () => {
  await site?.close()
  await collector?.close()
})

it("serves the dev project's email, whose links lead to the shop and whose open and click are reported", async () => {
  const page = await fetch(`${site.url}/email`)
  expect(page.status).toBe(200)
  const html = await page.text()
  const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'))
  const signed = links.filter((l) => l.startsWith(`${collector.url}/e/c/`))
  expect(signed).toHaveLength(4) // the sale, the jacket, the members' club, and the hidden honeypot
  const pixel = /<img src="([^"]+\.gif)"/.exec(html)![1]!
  expect(pixel.startsWith(`${collector.url}/e/o/`)).toBe(true)

  // the reader opens it and clicks the jacket: the collector sends them to the shop's page, which is there
  expect((await fetch(pixel, { headers: { 'user-agent': CHROME_UA } })).status).toBe(200)
  const click = await fetch(signed[1]!, { redirect: 'manual', headers: { 'user-agent': CHROME_UA } })
  expect(click.status).toBe(302)
  const landing = new URL(click.headers.get('location')!)
  expect(landing.origin + landing.pathname).toBe(`${site.url}/product.html`)
  expect(landing.searchParams.get('utm_campaign')).toBe('spring-sale')
  expect((await fetch(landing)).status).toBe(200)
  // every link the reader can click leads to a page of the shop
  for (const link of signed.slice(0, 3)) {
    const to = (await fetch(link, { redirect: 'manual', method: 'HEAD' })).headers.get('location')!
    expect((await fetch(to)).status).toBe(200)
  }

  const { adminKey } = keysIn(dir)
  const report = await eventually(
    async () =>
      (
        await post(
          `${collector.url}/api/reports/email`,
          {
            project: 'dev',
            from: new Date(Date.now() - 86_400_000).toISOString(),
            to: new Date(Date.now() + 60_000).toISOString(),
          },
          { authorization: `Bearer ${adminKey}` },
        )
      ).body.campaigns,
    (c) => c?.[0]?.sent === 1 && c[0].uniqueOpens === 1 && c[0].uniqueClicks === 1,
  )
  expect(report[0]).toMatchObject({ campaign: 'spring-sale', openRate: 1, clickRate: 1 })
})

it("follows the project's write key as it rotates and retires, as the collector does", async () => {
  const env = { TOUCHPOINT_DATA_DIR: dir }
  const keyOfTag = async () =>
    /data-key="([^"]+)"/.exec(await (await fetch(`${site.url}/product.html`)).text())![1]!
  const before = await keyOfTag()
  expect(before).toBe(keysIn(dir).writeKey)
  await cli(['keys', 'rotate', '--kind', 'write'], env)
  expect(await cli(['keys', 'retire', '--kind', 'write'], env)).toBe(
    'retired 1 previous write key of project dev\n',
  )
  const after = keysIn(dir).writeKey
  expect(after).not.toBe(before)
  // the shop's page carries the new key, and the collector, once it has reread the file, takes it
  expect(await keyOfTag()).toBe(after)
  const send = (key: string) =>
    post(
      `${collector.url}/v1/track`,
      { event: 'Key Checked', anonymousId: 'k-1' },
      { authorization: basic(key), 'user-agent': CHROME_UA },
    )
  await eventually(
    async () => (await send(before)).status,
    (status) => status === 401,
  )
  expect((await send(after)).status).toBe(200)
})
