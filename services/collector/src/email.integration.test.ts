import { createEmailTracker, HANDOFF_PARAM, signToken } from '@touchpoint/node'
import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/helpers/http'
import { PIXEL_GIF } from './routes/email'
import { CHROME, NEW_KEY, OLD_KEY, useEmailCollector } from './testing/email-collector'

/**
 * The email routes on a real collector over embedded chDB: pixel and redirect in, rows out. Tokens are made by the
 * real tracker of @touchpoint/node.
 */
const mail = useEmailCollector()
const { q, get, msg, emailEvents } = mail

describe('open pixel', () => {
  it('answers with the 43-byte GIF, never cached, and stores a human open with campaign, message and recipient', async () => {
    const res = await get(mail.tracker.pixelUrl(msg('ann', 'pixel')), CHROME)
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
    await get(mail.tracker.pixelUrl(msg('bob', 'mpp')), 'Mozilla/5.0')
    await get(mail.tracker.pixelUrl({ ...msg('cid', 'mpp'), sentAt: new Date() }), CHROME)
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
    const good = mail.tracker.pixelUrl(msg('eve', 'forged'))
    const cut = good.lastIndexOf('.', good.length - 5) + 1 // the MAC's first character
    const forged = good.slice(0, cut) + (good[cut] === 'A' ? 'B' : 'A') + good.slice(cut + 1)
    for (const url of [forged, `${mail.url}/e/o/shop/not-a-token.gif`, `${mail.url}/e/o/nope/x.y.gif`]) {
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
    const res = await get(mail.tracker.linkUrl(target, { ...msg('dan', 'redirect'), linkId: 'hero' }), CHROME)
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
      mail.tracker.linkUrl('https://shop.example.com/?utm_campaign=own', msg('dan', 'own')),
      CHROME,
    )
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('utm_campaign')).toBe('own')
    expect(location.searchParams.get('utm_medium')).toBe('email')
  })

  it('gives a plain 400 page and no Location for any change to the token or the target', async () => {
    const url = mail.tracker.linkUrl(target, msg('dan', 'tamper'))
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
      mail.tracker.pixelUrl(msg('dan', 'tamper')).split('/').pop()!.replace('.gif', ''),
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
    expect(() => mail.tracker.linkUrl('javascript:alert(1)', msg('dan'))).toThrow()
    expect(() => mail.tracker.linkUrl('//evil.example.com/x', msg('dan'))).toThrow()
    const rejected = await eventually(
      () => q<{ n: string }>(`SELECT count() AS n FROM events_rejected WHERE route = '/e/c'`),
      (r) => Number(r[0]!.n) === bad.length,
    )
    expect(Number(rejected[0]!.n)).toBe(bad.length)
    expect(await emailEvents('tamper')).toEqual([])
  })

  it('still accepts a URL signed with the old key while that key is configured', async () => {
    const old = createEmailTracker({ baseUrl: mail.url, projectId: 'shop', keys: [OLD_KEY] })
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
    const head = await get(mail.tracker.linkUrl(target, msg('hal', 'head')), CHROME, 'HEAD')
    const scanner = await get(mail.tracker.linkUrl(target, msg('hal', 'scanned')), 'Mimecast URL Protect')
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
