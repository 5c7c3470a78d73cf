import { createEmailTracker, HANDOFF_PARAM, signToken } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, eventually, post, sql } from '../../../test/helpers/http'
import { startTestCollector } from '../../../test/helpers/in-process'
import { PIXEL_GIF } from './routes/email'
import type { RunningCollector } from './server'

/**
 * The email routes on a real collector over embedded chDB: pixel and redirect in, rows and the campaign
 * report out. Tokens are made by the real tracker of @touchpoint/node.
 */
const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const GMAIL = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)'
const ADMIN = 'admin-key-0123456789abcdef'
const SECRET = 'sk_shop_0123456789abcdef'
const OLD_KEY = { id: 'k2025', secret: 'old-secret-0123456789-0123456789-abc' }
const NEW_KEY = { id: 'k2026', secret: 'new-secret-0123456789-0123456789-xyz' }

let collector: RunningCollector
let tracker: ReturnType<typeof createEmailTracker>
const hourAgo = new Date(Date.now() - 3_600_000)
const q = <T = Record<string, unknown>>(query: string, params: Record<string, unknown> = {}) =>
  sql<T>(collector.url, ADMIN, query, params)
const get = (url: string, ua: string, method = 'GET') =>
  fetch(url, { method, redirect: 'manual', headers: { 'user-agent': ua } })
const msg = (recipient: string, campaignId = 'spring') => ({
  campaignId,
  messageId: `${campaignId}-${recipient}`,
  recipient,
  sentAt: hourAgo,
})
const emailEvents = (campaign: string) =>
  q<{ event: string; user_id: string; props: string; utm_campaign: string; channel: string; is_bot: number }>(
    `SELECT event, user_id, properties AS props, utm_campaign, channel, is_bot FROM events
     WHERE source = 'email' AND JSONExtractString(properties, 'campaignId') = {c:String} ORDER BY timestamp, user_id`,
    { c: campaign },
  )

beforeAll(async () => {
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [
      {
        id: 'shop',
        writeKey: 'wk_shop_123456',
        secretKey: SECRET,
        // the old key is still configured: mail sent before the rotation keeps working
        email: { keys: [NEW_KEY, OLD_KEY], utmSource: 'newsletter' },
      },
    ],
  }))
  tracker = createEmailTracker({ baseUrl: collector.url, projectId: 'shop', keys: [NEW_KEY] })
})
afterAll(() => collector?.close())

describe('open pixel', () => {
  it('answers with the 43-byte GIF, never cached, and stores a human open with campaign, message and recipient', async () => {
    const res = await get(tracker.pixelUrl(msg('ann', 'pixel')), CHROME)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/gif')
    expect(res.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, private')
    const body = Buffer.from(await res.arrayBuffer())
    expect(body.length).toBe(43)
    expect(body.equals(PIXEL_GIF)).toBe(true)
    const rows = await eventually(
      () => emailEvents('pixel'),
      (r) => r.length === 1,
    )
    expect(rows[0]).toMatchObject({
      event: 'Email Opened',
      user_id: 'ann',
      utm_campaign: 'pixel',
      channel: 'Email',
    })
    expect(JSON.parse(rows[0]!.props)).toEqual({
      campaignId: 'pixel',
      emailId: 'pixel-ann',
      machine: false,
      reason: '',
      proxy: '',
    })
  })

  it('stores a machine open for Apple Mail Privacy Protection (user agent exactly Mozilla/5.0) and for an open right after the send', async () => {
    await get(tracker.pixelUrl(msg('bob', 'mpp')), 'Mozilla/5.0')
    await get(tracker.pixelUrl({ ...msg('cid', 'mpp'), sentAt: new Date() }), CHROME)
    const rows = await eventually(
      () => emailEvents('mpp'),
      (r) => r.length === 2,
    )
    const verdicts = rows.map((r) => [r.user_id, JSON.parse(r.props).machine, JSON.parse(r.props).reason])
    expect(verdicts).toEqual([
      ['bob', true, 'apple_mpp_user_agent'],
      ['cid', true, 'soon_after_send'],
    ])
    expect(rows.every((r) => r.is_bot === 0)).toBe(true)
  })

  it('still answers a forged or malformed token with the GIF, and keeps the request in events_rejected', async () => {
    const good = tracker.pixelUrl(msg('eve', 'forged'))
    const cut = good.lastIndexOf('.', good.length - 5) + 1 // the MAC's first character
    const forged = good.slice(0, cut) + (good[cut] === 'A' ? 'B' : 'A') + good.slice(cut + 1)
    for (const url of [
      forged,
      `${collector.url}/e/o/shop/not-a-token.gif`,
      `${collector.url}/e/o/nope/x.y.gif`,
    ]) {
      const res = await get(url, CHROME)
      expect(res.status).toBe(200)
      expect(Buffer.from(await res.arrayBuffer()).equals(PIXEL_GIF)).toBe(true)
    }
    const rejected = await eventually(
      () =>
        q<{ reason: string; error_code: string }>(
          `SELECT error_code, reason FROM events_rejected WHERE route = '/e/o'`,
        ),
      (r) => r.length === 3,
    )
    // sorted here: three requests in a row can share a millisecond, so their received_at does not order them
    expect(rejected.map((r) => [r.error_code, JSON.parse(r.reason)[0].message]).sort()).toEqual([
      ['TP_ERR_EMAIL_TOKEN', 'token bad_signature'],
      ['TP_ERR_EMAIL_TOKEN', 'token malformed'],
      ['TP_ERR_EMAIL_TOKEN', 'unknown project'],
    ])
    expect(await emailEvents('forged')).toEqual([])
  })
})

describe('click redirect', () => {
  const target = 'https://shop.example.com/sale?ref=hero'

  it('redirects to the target with UTM tags and a hand-off added, and records the click', async () => {
    const res = await get(tracker.linkUrl(target, { ...msg('dan', 'redirect'), linkId: 'hero' }), CHROME)
    expect(res.status).toBe(302)
    expect(res.headers.get('cache-control')).toContain('no-store')
    const location = new URL(res.headers.get('location')!)
    expect(location.origin + location.pathname).toBe('https://shop.example.com/sale')
    expect(Object.fromEntries([...location.searchParams].filter(([k]) => k !== HANDOFF_PARAM))).toEqual({
      ref: 'hero',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'redirect',
    })
    expect(location.searchParams.get(HANDOFF_PARAM)).toMatch(/^[\w-]+\.[\w-]+$/)
    const rows = await eventually(
      () => emailEvents('redirect'),
      (r) => r.length === 1,
    )
    expect(rows[0]).toMatchObject({ event: 'Email Clicked', user_id: 'dan', channel: 'Email' })
    expect(JSON.parse(rows[0]!.props)).toMatchObject({ linkId: 'hero', target, scanner: false })
  })

  it('keeps UTM tags the target already has', async () => {
    const res = await get(
      tracker.linkUrl('https://shop.example.com/?utm_campaign=own', msg('dan', 'own')),
      CHROME,
    )
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('utm_campaign')).toBe('own')
    expect(location.searchParams.get('utm_medium')).toBe('email')
  })

  it('gives a plain 400 page and no Location for any change to the token or the target', async () => {
    const url = tracker.linkUrl(target, msg('dan', 'tamper'))
    const token = url.slice(url.lastIndexOf('/') + 1)
    const [payload, mac] = token.split('.') as [string, string]
    const fields = JSON.parse(Buffer.from(payload, 'base64url').toString())
    fields[7] = 'https://evil.example.com/'
    const retargeted = `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${mac}`
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
    const base = url.slice(0, url.lastIndexOf('/') + 1)
    const bad = [
      retargeted,
      flip(token, 3),
      flip(token, token.length - 2),
      token.slice(0, -1),
      payload,
      `${payload}.`,
      // an open token on the click route, and one signed by a key the project does not have
      tracker.pixelUrl(msg('dan', 'tamper')).split('/').pop()!.replace('.gif', ''),
      signToken(
        { kind: 'click', ...{ campaignId: 'x', emailId: 'y', recipient: 'z', sentAt: 1, target } },
        {
          id: NEW_KEY.id,
          secret: 'an-attacker-secret-0123456789-0123456789',
        },
      ),
    ]
    for (const t of bad) {
      const res = await get(base + encodeURIComponent(t), CHROME)
      expect(res.status, t).toBe(400)
      expect(res.headers.get('location'), t).toBeNull()
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    }
    expect(() => tracker.linkUrl('javascript:alert(1)', msg('dan'))).toThrow()
    expect(() => tracker.linkUrl('//evil.example.com/x', msg('dan'))).toThrow()
    const rejected = await eventually(
      () => q<{ n: string }>(`SELECT count() AS n FROM events_rejected WHERE route = '/e/c'`),
      (r) => Number(r[0]!.n) === bad.length,
    )
    expect(Number(rejected[0]!.n)).toBe(bad.length)
    expect(await emailEvents('tamper')).toEqual([])
  })

  it('still accepts a URL signed with the old key while that key is configured', async () => {
    const old = createEmailTracker({ baseUrl: collector.url, projectId: 'shop', keys: [OLD_KEY] })
    const res = await get(old.linkUrl(target, msg('old', 'rotation')), CHROME)
    expect(res.status).toBe(302)
    expect((await get(old.pixelUrl(msg('old', 'rotation')), CHROME)).status).toBe(200)
    const rows = await eventually(
      () => emailEvents('rotation'),
      (r) => r.length === 2,
    )
    expect(rows.map((r) => r.event).sort()).toEqual(['Email Clicked', 'Email Opened'])
  })

  it('redirects HEAD requests and scanners without a hand-off, and records them as scanner clicks', async () => {
    const head = await get(tracker.linkUrl(target, msg('hal', 'head')), CHROME, 'HEAD')
    const scanner = await get(tracker.linkUrl(target, msg('hal', 'scanned')), 'Mimecast URL Protect')
    for (const res of [head, scanner]) {
      expect(res.status).toBe(302)
      const location = new URL(res.headers.get('location')!)
      expect(location.host).toBe('shop.example.com')
      expect(location.searchParams.get('utm_medium')).toBe('email')
      // a machine that opened the landing page in a browser must not become the recipient
      expect(location.searchParams.has(HANDOFF_PARAM)).toBe(false)
    }
    const rows = await eventually(
      () => emailEvents('head'),
      (r) => r.length === 1,
    )
    expect(JSON.parse(rows[0]!.props)).toMatchObject({ scanner: true, reason: 'head_request' })
    const scanned = await eventually(
      () => emailEvents('scanned'),
      (r) => r.length === 1,
    )
    expect(JSON.parse(scanned[0]!.props)).toMatchObject({ scanner: true, reason: 'scanner_user_agent' })
  })
})

describe('hand-off and the campaign report', () => {
  /**
   * Campaign "report", four recipients, sent an hour ago:
   *   amy: opens twice in Chrome, clicks once → human open (2 events), human click; her browser lands with
   *        the hand-off and orders for 30
   *   ben: one Apple MPP open (machine)            cat: one Gmail proxy open (human), one HEAD click (scanner)
   *   dov: a security scanner clicks three links within a second (scanner user agent)
   * sent 4; unique human opens 2 (amy, cat), total 3; machine opens 1; unique human clicks 1 (amy);
   * scanner clicks 4 (cat's HEAD, dov's three); open rate 2/4, click rate 1/4, click-to-open 1/2;
   * conversions of clickers 1, revenue 30.
   */
  it('links the landing browser to the recipient and reports rates without machines and scanners', async () => {
    const sends = ['amy', 'ben', 'cat', 'dov'].map((r) => tracker.sentEvent(msg(r, 'report')))
    expect(
      (await post(`${collector.url}/v1/batch`, { batch: sends }, { authorization: basic(SECRET) })).status,
    ).toBe(200)
    await get(tracker.pixelUrl(msg('amy', 'report')), CHROME)
    await get(tracker.pixelUrl(msg('amy', 'report')), CHROME)
    await get(tracker.pixelUrl(msg('ben', 'report')), 'Mozilla/5.0')
    await get(tracker.pixelUrl(msg('cat', 'report')), GMAIL)
    await get(tracker.linkUrl('https://shop.example.com/', msg('cat', 'report')), CHROME, 'HEAD')
    for (const linkId of ['a', 'b', 'c'])
      await get(
        tracker.linkUrl(`https://shop.example.com/${linkId}`, { ...msg('dov', 'report'), linkId }),
        'Mimecast URL Protect',
      )
    const click = await get(tracker.linkUrl('https://shop.example.com/spring', msg('amy', 'report')), CHROME)
    const landing = new URL(click.headers.get('location')!)
    const handoff = landing.searchParams.get(HANDOFF_PARAM)!
    // what the browser SDK sends from the landing page: the page view carrying the hand-off, then the order
    const browser = { anonymousId: 'amy-browser', context: { userAgent: CHROME } }
    const landed = await post(`${collector.url}/v1/batch`, {
      writeKey: 'wk_shop_123456',
      batch: [
        {
          ...browser,
          type: 'page',
          properties: { url: landing.href },
          context: { ...browser.context, emailHandoff: handoff },
        },
        { ...browser, type: 'track', event: 'Order Completed', properties: { revenue: 30, currency: 'EUR' } },
      ],
    })
    expect(landed.status).toBe(200)
    const links = await eventually(
      () => q(`SELECT user_id, link_source FROM identities WHERE anonymous_id = 'amy-browser'`),
      (r) => r.length === 1,
    )
    expect(links).toEqual([{ user_id: 'amy', link_source: 'email' }])
    await eventually(
      () => q(`SELECT 1 FROM events WHERE anonymous_id = 'amy-browser' AND event = 'Order Completed'`),
      (r) => r.length === 1,
    )
    await eventually(
      () => emailEvents('report'),
      (r) => r.length === 4 + 5, // opens and clicks (the sends come from the server)
    )
    const range = {
      project: 'shop',
      from: new Date(Date.now() - 7_200_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }
    const report = await post(
      `${collector.url}/api/reports/email`,
      { ...range, campaign: 'report' },
      { authorization: `Bearer ${ADMIN}` },
    )
    expect(report.status).toBe(200)
    expect(report.body.campaigns ?? report.body).toEqual([
      {
        campaign: 'report',
        sent: 4,
        uniqueOpens: 2,
        totalOpens: 3,
        uniqueMachineOpens: 1,
        machineOpens: 1,
        uniqueClicks: 1,
        totalClicks: 1,
        scannerClicks: 4,
        openRate: 0.5,
        clickRate: 0.25,
        clickToOpenRate: 0.5,
        conversions: 1,
        revenue: 30,
        currencies: ['EUR'],
        // signed without link ids, amy's and cat's links are told by their targets; dov's scanner clicked a, b, c
        links: [
          {
            link: '',
            target: 'https://shop.example.com/spring',
            uniqueClicks: 1,
            totalClicks: 1,
            scannerClicks: 0,
          },
          {
            link: '',
            target: 'https://shop.example.com/',
            uniqueClicks: 0,
            totalClicks: 0,
            scannerClicks: 1,
          },
          ...['a', 'b', 'c'].map((link) => ({
            link,
            target: `https://shop.example.com/${link}`,
            uniqueClicks: 0,
            totalClicks: 0,
            scannerClicks: 1,
          })),
        ],
      },
    ])
  })

  it('refuses a forged or expired hand-off but keeps the event, and records why', async () => {
    const expired = signToken(
      {
        kind: 'handoff',
        campaignId: 'c',
        emailId: 'e',
        recipient: 'zed',
        sentAt: Math.floor(Date.now() / 1000) - 3600,
      },
      NEW_KEY,
    )
    const res = await post(`${collector.url}/v1/batch`, {
      writeKey: 'wk_shop_123456',
      batch: [
        { type: 'page', anonymousId: 'zed-browser', messageId: 'zed-1', context: { emailHandoff: expired } },
        { type: 'page', anonymousId: 'zed-browser', messageId: 'zed-2', context: { emailHandoff: 'x.y' } },
      ],
    })
    expect(res.status).toBe(200)
    const rejected = await eventually(
      () =>
        q<{ reason: string }>(
          `SELECT reason FROM events_rejected WHERE error_code = 'TP_ERR_EMAIL_TOKEN' AND route = '/v1/batch' ORDER BY reason`,
        ),
      (r) => r.length === 2,
    )
    expect(rejected.map((r) => JSON.parse(r.reason)[0])).toEqual([
      { path: 'context.emailHandoff', message: 'expired' },
      { path: 'context.emailHandoff', message: 'token malformed' },
    ])
    await eventually(
      () => q(`SELECT 1 FROM events WHERE anonymous_id = 'zed-browser'`),
      (r) => r.length === 2,
    )
    // identity links load after events and refused calls, so a link sent later is the sign that any link of
    // the batch above would be in by now: only then does finding none mean none was written
    const marker = await post(`${collector.url}/v1/batch`, {
      writeKey: 'wk_shop_123456',
      batch: [{ type: 'identify', anonymousId: 'zed-marker', userId: 'zed-marker-user' }],
    })
    expect(marker.status).toBe(200)
    await eventually(
      () => q(`SELECT 1 FROM identities WHERE anonymous_id = 'zed-marker'`),
      (r) => r.length === 1,
    )
    expect(await q(`SELECT 1 FROM identities WHERE anonymous_id = 'zed-browser'`)).toEqual([])
  })
})
