import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEmailTracker } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/collector'
import { basic, CHROME_UA, eventually, post, sql } from '../../../test/helpers/http'
import { startTestCollector } from '../../../test/helpers/in-process'
import { ConfigError, loadConfig } from './config'
import type { RunningCollector } from './server'

/**
 * GEOIP_COUNTRY_CSV: a tracking call's country looked up from its address before the address is anonymised, through
 * a real collector (spool, row builder, embedded ClickHouse), and the reports' country from it, or from the time
 * zone where there is none. The calls come through a proxy (TRUST_PROXY), which names the visitor's address.
 */
const ADMIN = 'admin-key-0123456789abcdef'
const MAIL_KEY = { id: 'k1', secret: 'mail-secret-0123456789-0123456789-abc' }
const SHOP = {
  id: 'shop',
  writeKey: 'tpw_shop_0123456789',
  secretKey: 'tps_shop_0123456789abcdef',
  email: { keys: [MAIL_KEY] },
}
const TABLE = [
  'ip_start,ip_end,country',
  '198.51.100.0,198.51.100.255,NZ',
  '2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,JP',
].join('\n')
let collector: RunningCollector
let dir: string

beforeAll(async () => {
  dir = tempDir()
  writeFileSync(join(dir, 'countries.csv'), TABLE)
  collector = (
    await startTestCollector(
      { adminKey: ADMIN, projects: [SHOP] },
      { GEOIP_COUNTRY_CSV: join(dir, 'countries.csv'), TRUST_PROXY: 'true' },
    )
  ).collector
})
afterAll(async () => collector?.close())

const page = (messageId: string, from: string, timezone: string) =>
  post(
    `${collector.url}/v1/batch`,
    {
      batch: [
        {
          type: 'page',
          anonymousId: messageId,
          messageId,
          properties: { url: 'https://shop.example/' },
          context: { timezone, sessionId: messageId },
        },
      ],
    },
    { authorization: basic(SHOP.writeKey), 'user-agent': CHROME_UA, 'x-forwarded-for': from },
  )
const ADMIN_AUTH = { authorization: `Bearer ${ADMIN}` }

describe('the country of an address', () => {
  it('is looked up before the address is anonymised, and read before the time zone', async () => {
    // a visitor in New Zealand whose device says Berlin; one from an address the table does not know, in Paris
    expect((await page('nz', '198.51.100.77', 'Europe/Berlin')).status).toBe(200)
    expect((await page('fr', '192.0.2.10', 'Europe/Paris')).status).toBe(200)
    // a server's call for a customer names the customer's address; one without names none (the server's is not)
    const server = (messageId: string, context: object) =>
      post(
        `${collector.url}/v1/track`,
        { userId: messageId, messageId, event: 'Order Completed', context },
        { authorization: basic(SHOP.secretKey), 'x-forwarded-for': '198.51.100.1' },
      )
    expect((await server('jp', { ip: '2001:db8:5::9' })).status).toBe(200)
    expect((await server('none', {})).status).toBe(200)
    const rows = await eventually(
      () =>
        sql<{ message_id: string; ip: string; ip_country: string }>(
          collector.url,
          ADMIN,
          'SELECT message_id, ip, ip_country FROM events ORDER BY message_id',
        ),
      (r) => r.length === 4,
    )
    expect(rows).toEqual([
      { message_id: 'fr', ip: '192.0.2.0', ip_country: '' },
      { message_id: 'jp', ip: '2001:db8:5::', ip_country: 'JP' },
      { message_id: 'none', ip: '198.51.100.0', ip_country: '' },
      { message_id: 'nz', ip: '198.51.100.0', ip_country: 'NZ' },
    ])
    const today = new Date().toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const traffic = await post(
      `${collector.url}/api/reports/traffic`,
      { project: 'shop', from: today, to: tomorrow, by: 'country' },
      ADMIN_AUTH,
    )
    expect(
      traffic.body.rows.map((r: { key: string; sessions: number }) => [r.key, r.sessions]).sort(),
    ).toEqual([
      ['FR', 1],
      ['NZ', 1],
    ])
    const profile = await post(`${collector.url}/api/profile`, { project: 'shop', person: 'nz' }, ADMIN_AUTH)
    expect(profile.body.location).toMatchObject({ country: 'NZ', timezone: 'Europe/Berlin' })
  })

  it("places an email's opens and clicks where the reader's own client made them, and no proxy's or scanner's", async () => {
    const tracker = createEmailTracker({ baseUrl: collector.url, projectId: 'shop', keys: [MAIL_KEY] })
    const email = (recipient: string) => ({
      campaignId: 'geo',
      messageId: `geo-${recipient}`,
      recipient,
      sentAt: new Date(Date.now() - 3_600_000),
    })
    const ask = (url: string, ua: string, method = 'GET') =>
      fetch(url, {
        method,
        redirect: 'manual',
        headers: { 'user-agent': ua, 'x-forwarded-for': '198.51.100.9' },
      })
    const GMAIL_PROXY =
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)'
    // a reader whose mail client fetches the image itself, and clicks; one reading through Gmail's image proxy;
    // a security gateway checking the link before delivery (HEAD)
    expect((await ask(tracker.pixelUrl(email('client')), CHROME_UA)).status).toBe(200)
    expect((await ask(tracker.linkUrl('https://shop.example/', email('client')), CHROME_UA)).status).toBe(302)
    expect((await ask(tracker.pixelUrl(email('gmail')), GMAIL_PROXY)).status).toBe(200)
    expect(
      (await ask(tracker.linkUrl('https://shop.example/', email('gateway')), CHROME_UA, 'HEAD')).status,
    ).toBe(302)
    const rows = await eventually(
      () =>
        sql<{ user_id: string; event: string; ip_country: string }>(
          collector.url,
          ADMIN,
          "SELECT user_id, event, ip_country FROM events WHERE source = 'email' ORDER BY user_id, event",
        ),
      (r) => r.length === 4,
    )
    expect(rows).toEqual([
      { user_id: 'client', event: 'Email Clicked', ip_country: 'NZ' },
      { user_id: 'client', event: 'Email Opened', ip_country: 'NZ' },
      { user_id: 'gateway', event: 'Email Clicked', ip_country: '' },
      { user_id: 'gmail', event: 'Email Opened', ip_country: '' },
    ])
  })

  it('places the next calls by a table that replaces the file, without a restart', async () => {
    // next month's download says the range is Australia's; written beside the file, then renamed over it
    writeFileSync(join(dir, 'next.csv'), TABLE.replace(',NZ', ',AU'))
    renameSync(join(dir, 'next.csv'), join(dir, 'countries.csv'))
    let sent = 0
    await eventually(
      async () => {
        expect((await page(`au-${++sent}`, '198.51.100.77', 'Europe/Berlin')).status).toBe(200)
        return sql<{ n: number }>(
          collector.url,
          ADMIN,
          "SELECT count() AS n FROM events WHERE ip_country = 'AU'",
        )
      },
      (rows) => Number(rows[0]?.n) > 0,
      20_000,
    )
    // the calls before it keep the country they were placed in
    const nz = await sql<{ n: number }>(
      collector.url,
      ADMIN,
      "SELECT count() AS n FROM events WHERE message_id = 'nz' AND ip_country = 'NZ'",
    )
    expect(Number(nz[0]?.n)).toBe(1)
  })

  it('refuses to start with a table it cannot read, naming the variable and the line', () => {
    writeFileSync(join(dir, 'bad.csv'), '198.51.100.0,198.51.100.255,NZ\n198.51.100.0 NZ\n')
    const env = { TOUCHPOINT_DATA_DIR: dir, GEOIP_COUNTRY_CSV: join(dir, 'bad.csv') }
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(/GEOIP_COUNTRY_CSV: .*bad\.csv, line 2: expected DB-IP/)
    expect(() => loadConfig({ ...env, GEOIP_COUNTRY_CSV: join(dir, 'missing.csv') })).toThrow(
      /GEOIP_COUNTRY_CSV: ENOENT/,
    )
  })
})
