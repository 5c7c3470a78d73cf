import { describe, expect, it } from 'vitest'
import { eventually, post } from '../../../test/helpers/http'
import { CHROME, keys, useShopCollector } from './testing/shop-collector'

/** The collector's ingest path against the real engine: what it stores, how it enriches, how it is operated. */
const shop = useShopCollector()
const { q, send } = shop

describe('POST /v1/batch', () => {
  it('accepts the good events of a batch, rejects the bad one with field and reason, and stores both', async () => {
    const started = Date.now()
    const res = await send('/v1/batch', {
      batch: [
        {
          type: 'page',
          anonymousId: 'anon-1',
          messageId: 'batch-page-1',
          properties: { url: 'https://shop.example/pricing', title: 'Pricing' },
        },
        {
          type: 'track',
          event: 'Order Completed',
          anonymousId: 'anon-1',
          messageId: 'batch-order-1',
          properties: { revenue: 99.5, currency: 'eur' },
        },
        { type: 'track', anonymousId: 'anon-1', messageId: 'batch-bad-1', properties: { revenue: 1 } },
        // a sale whose revenue no report could add up is refused, not stored as no revenue
        {
          type: 'track',
          event: 'Plan Chosen',
          anonymousId: 'anon-1',
          messageId: 'batch-bad-2',
          properties: { revenue: '€144', currency: 'EUR' },
        },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(2)
    const notANumber =
      'must be a number such as 144.5, or a string of one, without a currency sign or separators'
    expect(res.body.rejected).toEqual([
      { index: 2, messageId: 'batch-bad-1', issues: [{ path: 'event', message: 'is required (string)' }] },
      { index: 3, messageId: 'batch-bad-2', issues: [{ path: 'properties.revenue', message: notANumber }] },
    ])
    const rows = await eventually(
      () =>
        q<{ event: string; revenue: number | null; currency: string; path: string }>(
          `SELECT event, revenue, currency, path FROM events WHERE message_id IN ('batch-page-1', 'batch-order-1') ORDER BY event`,
        ),
      (r) => r.length === 2,
      2000,
    )
    expect(Date.now() - started).toBeLessThan(2000)
    expect(rows).toEqual([
      { event: 'Order Completed', revenue: 99.5, currency: 'EUR', path: '' },
      { event: 'Page Viewed', revenue: null, currency: '', path: '/pricing' },
    ])
    const rejected = await eventually(
      () =>
        q<{ error_code: string; reason: string; raw: string; project_id: string }>(
          `SELECT error_code, reason, raw, project_id FROM events_rejected WHERE raw LIKE '%batch-bad-%' ORDER BY raw LIKE '%batch-bad-2%'`,
        ),
      (r) => r.length === 2,
    )
    expect(rejected.map((r) => [r.error_code, r.project_id])).toEqual([
      ['TP_ERR_VALIDATION', 'shop'],
      ['TP_ERR_VALIDATION', 'shop'],
    ])
    expect(JSON.parse(rejected[0]!.reason)).toEqual([{ path: 'event', message: 'is required (string)' }])
    expect(JSON.parse(rejected[0]!.raw)).toMatchObject({ messageId: 'batch-bad-1' })
    expect(JSON.parse(rejected[1]!.reason)).toEqual([{ path: 'properties.revenue', message: notANumber }])
    expect(JSON.parse(rejected[1]!.raw)).toMatchObject({ properties: { revenue: '€144' } })
  })

  it('stores an event retried with the same messageId once, across requests and inside one batch', async () => {
    const event = { type: 'track', event: 'Retried', anonymousId: 'anon-r', messageId: 'retry-me' }
    expect((await send('/v1/batch', { batch: [event, event] })).status).toBe(200)
    expect((await send('/v1/track', event)).status).toBe(200)
    expect((await send('/v1/batch', { batch: [event] })).status).toBe(200)
    await eventually(
      () => q(`SELECT 1 FROM events WHERE message_id = 'retry-me'`),
      (r) => r.length > 0,
    )
    await new Promise((r) => setTimeout(r, 600))
    const rows = await q<{ n: string }>(`SELECT count() AS n FROM events WHERE message_id = 'retry-me'`)
    expect(Number(rows[0]!.n)).toBe(1)
  })

  it('merges batch-level context under each event and honours the batch sentAt for clock skew', async () => {
    const now = Date.now()
    // the sender's clock is one hour fast: it says it sent at now+1h an event it stamped at now+1h-10s
    const sentAt = new Date(now + 3_600_000).toISOString()
    const timestamp = new Date(now + 3_600_000 - 10_000).toISOString()
    const res = await send('/v1/batch', {
      sentAt,
      context: { locale: 'de-DE', timezone: 'Europe/Berlin' },
      batch: [{ type: 'track', event: 'Skewed', userId: 'u-skew', messageId: 'skew-1', timestamp }],
    })
    expect(res.status).toBe(200)
    const [row] = await eventually(
      () =>
        q<{ locale: string; timezone: string; ms: string }>(
          `SELECT locale, timezone, toUnixTimestamp64Milli(timestamp) AS ms FROM events WHERE message_id = 'skew-1'`,
        ),
      (r) => r.length === 1,
    )
    expect(row!.locale).toBe('de-DE')
    expect(row!.timezone).toBe('Europe/Berlin')
    expect(Math.abs(Number(row!.ms) - (now - 10_000))).toBeLessThan(2000)
  })
})

describe('enrichment', () => {
  it('parses the user agent, derives campaign and channel, and anonymises the IP', async () => {
    const res = await send(
      '/v1/page',
      {
        anonymousId: 'anon-enrich',
        messageId: 'enrich-1',
        properties: {
          url: 'https://shop.example/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=',
        },
        context: { userAgent: CHROME, ip: '203.0.113.77' },
      },
      keys.secretKey,
    )
    expect(res.status).toBe(200)
    const [row] = await eventually(
      () =>
        q<Record<string, string>>(
          `SELECT browser, os, device_type, channel, utm_source, utm_medium, utm_campaign, ip, is_bot, source FROM events WHERE message_id = 'enrich-1'`,
        ),
      (r) => r.length === 1,
    )
    expect(row).toEqual({
      browser: 'Chrome',
      os: 'Mac OS',
      device_type: 'desktop',
      channel: 'Email',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring',
      ip: '203.0.113.0',
      is_bot: 0,
      source: 'server',
    })
  })

  it("counts a visit from one of the project's own sites (allowedOrigins) as no referral", async () => {
    // a visit to help.example that began on the shop 30 idle minutes after the shop's own visit: tp.js sends the
    // shop as the visit's referrer; the project lists the shop among its sites, the default project lists none
    const hop = (messageId: string) => ({
      anonymousId: 'anon-sites',
      messageId,
      properties: { url: 'https://help.example/faq', referrer: 'https://shop.example/cart' },
      context: { sessionId: 's-sites', referrer: { url: 'https://shop.example/cart' } },
    })
    const own = await send('/v1/page', hop('sites-own'), keys.lockedKey, { origin: 'https://shop.example' })
    expect((await send('/v1/page', hop('sites-any'), keys.writeKey)).status).toBe(200)
    expect(own.status).toBe(200)
    const rows = await eventually(
      () =>
        q<{ message_id: string; channel: string; referrer_host: string }>(
          `SELECT message_id, channel, referrer_host FROM events WHERE message_id LIKE 'sites-%' ORDER BY message_id`,
        ),
      (r) => r.length === 2,
    )
    expect(rows).toEqual([
      { message_id: 'sites-any', channel: 'Referral', referrer_host: 'shop.example' },
      { message_id: 'sites-own', channel: 'Direct', referrer_host: 'shop.example' },
    ])
  })

  it('ignores the IP and a historic timestamp set by a write-key (browser) call', async () => {
    const res = await send('/v1/track', {
      event: 'Claims',
      anonymousId: 'anon-claims',
      messageId: 'claims-1',
      timestamp: '2020-01-01T00:00:00.000Z',
      context: { ip: '198.51.100.23', userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
    })
    expect(res.status).toBe(200)
    const [row] = await eventually(
      () =>
        q<{ ip: string; year: number; is_bot: number }>(
          `SELECT ip, toYear(timestamp) AS year, is_bot FROM events WHERE message_id = 'claims-1'`,
        ),
      (r) => r.length === 1,
    )
    expect(row).toEqual({ ip: '127.0.0.0', year: new Date().getUTCFullYear(), is_bot: 1 })
  })

  it("refuses a server's call whose time no clock could have given, naming the field, and keeps it", async () => {
    const ahead = new Date(Date.now() + 3_600_000).toISOString()
    const res = await send(
      '/v1/batch',
      {
        batch: [
          // epoch seconds read as milliseconds: 1970, which the receive time would silently have replaced
          {
            type: 'track',
            event: 'Imported',
            userId: 'u-time',
            messageId: 'time-1',
            timestamp: '1970-01-21T19:02:52.447Z',
          },
          {
            type: 'track',
            event: 'Imported',
            userId: 'u-time',
            messageId: 'time-2',
            originalTimestamp: ahead,
          },
          {
            type: 'track',
            event: 'Imported',
            userId: 'u-time',
            messageId: 'time-3',
            timestamp: '2001-02-03T04:05:06Z',
          },
        ],
      },
      keys.secretKey,
    )
    expect(res.status).toBe(200)
    expect(res.body.rejected).toEqual([
      {
        index: 0,
        messageId: 'time-1',
        issues: [
          { path: 'timestamp', message: "is before 2000-01-01, the earliest a server's call may carry" },
        ],
      },
      {
        index: 1,
        messageId: 'time-2',
        issues: [
          { path: 'originalTimestamp', message: "is more than 5 minutes ahead of the collector's clock" },
        ],
      },
    ])
    const [kept] = await eventually(
      () => q<{ t: string }>(`SELECT toString(timestamp) AS t FROM events WHERE message_id = 'time-3'`),
      (r) => r.length === 1,
    )
    expect(kept!.t).toBe('2001-02-03 04:05:06.000')
    const refused = await eventually(
      () =>
        q<{ reason: string }>(`SELECT reason FROM events_rejected WHERE raw LIKE '%u-time%' ORDER BY reason`),
      (r) => r.length === 2,
    )
    expect(refused.map((r) => JSON.parse(r.reason)[0].path)).toEqual(['originalTimestamp', 'timestamp'])
  })

  it('links an anonymous id to a user id from identify and alias', async () => {
    await send('/v1/identify', {
      anonymousId: 'anon-who',
      userId: 'user-who',
      traits: { plan: 'pro' },
      messageId: 'id-1',
    })
    await send('/v1/alias', { previousId: 'anon-old', userId: 'user-who', messageId: 'alias-1' })
    const links = await eventually(
      () =>
        q<{ anonymous_id: string; link_source: string }>(
          `SELECT anonymous_id, any(link_source) AS link_source FROM identities WHERE user_id = 'user-who' GROUP BY anonymous_id ORDER BY anonymous_id`,
        ),
      (r) => r.length === 2,
    )
    expect(links).toEqual([
      { anonymous_id: 'anon-old', link_source: 'alias' },
      { anonymous_id: 'anon-who', link_source: 'identify' },
    ])
  })
})

describe('operations', () => {
  it('serves /healthz, /readyz, /metrics and /openapi.json', async () => {
    expect((await fetch(`${shop.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${shop.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ ready: true, status: 'ok' })
    const metrics = await (await fetch(`${shop.url}/metrics`)).text()
    expect(metrics).toMatch(/touchpoint_events_accepted_total\{project="shop"\} \d+/)
    expect(metrics).toContain('touchpoint_load_latency_seconds_bucket')
    expect(metrics).toContain('touchpoint_spool_queued_bytes')
    const doc = (await (await fetch(`${shop.url}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/batch', '/v1/track', '/api/sql']))
  })

  it('runs read-only SQL with parameters for the admin key only', async () => {
    const noKey = await post(`${shop.url}/api/sql`, { query: 'SELECT 1' })
    expect(noKey.status).toBe(401)
    const wrong = await post(
      `${shop.url}/api/sql`,
      { query: 'SELECT 1' },
      { authorization: `Bearer ${keys.writeKey}` },
    )
    expect(wrong.status).toBe(401)
    const rows = await q<{ v: string }>('SELECT {v:String} AS v', { v: "it's" })
    expect(rows).toEqual([{ v: "it's" }])
    for (const query of [
      "INSERT INTO events (event) VALUES ('x')",
      'DROP TABLE events',
      'CREATE TABLE t (a Int8) ENGINE = Memory',
      'SET readonly = 0',
    ]) {
      const res = await post(`${shop.url}/api/sql`, { query }, { authorization: `Bearer ${keys.adminKey}` })
      expect(res.status, query).toBe(400)
      expect(res.body.code).toBe('TP_ERR_SQL')
    }
    // a syntax error quotes the caller's query, not the output format the client adds to it
    const typo = await post(
      `${shop.url}/api/sql`,
      { query: 'SELEC 1' },
      { authorization: `Bearer ${keys.adminKey}` },
    )
    expect(typo.status).toBe(400)
    expect(typo.body.message).toContain('Syntax error')
    expect(typo.body.message).not.toContain('FORMAT')
    // the pipeline's own session still writes after analysts' read-only queries
    expect(
      (await send('/v1/track', { event: 'After SQL', anonymousId: 'a', messageId: 'after-sql' })).status,
    ).toBe(200)
    await eventually(
      () => q(`SELECT 1 FROM events WHERE message_id = 'after-sql'`),
      (r) => r.length === 1,
    )
  })
})
