import { describe, expect, it } from 'vitest'
import {
  type ClickClaims,
  type EmailKey,
  recipientHash,
  recipientIdOf,
  signToken,
  trackableTarget,
  verifyToken,
} from './token'

const OLD: EmailKey = { id: 'k2025', secret: 'old-secret-0123456789abcdef0123456789' }
const NEW: EmailKey = { id: 'k2026', secret: 'new-secret-0123456789abcdef0123456789' }
const base = { campaignId: 'spring', emailId: 'm-1', recipient: 'cust-42', sentAt: 1_790_000_000 }
const click: ClickClaims = {
  ...base,
  kind: 'click',
  target: 'https://shop.example/sale?x=1#top',
  linkId: 'hero',
}

const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)

describe('email tokens', () => {
  it('round-trip open and click claims, URL-safe', () => {
    const open = signToken({ ...base, kind: 'open' }, NEW)
    expect(open).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/)
    expect(verifyToken(open, [NEW])).toEqual({ ok: true, keyId: 'k2026', claims: { ...base, kind: 'open' } })
    expect(verifyToken(signToken(click, NEW), [NEW])).toEqual({ ok: true, keyId: 'k2026', claims: click })
  })

  it('refuse any change to the payload or the signature', () => {
    const token = signToken(click, NEW)
    const dot = token.indexOf('.')
    for (const i of [0, 5, dot - 1, dot + 1, token.length - 1]) {
      if (i === dot) continue
      const r = verifyToken(flip(token, i), [NEW])
      expect(r.ok, `byte ${i}`).toBe(false)
    }
    // a new target with the old signature
    const other = signToken({ ...click, target: 'https://evil.example/' }, NEW)
    const forged = `${other.slice(0, other.indexOf('.'))}${token.slice(dot)}`
    expect(verifyToken(forged, [NEW])).toEqual({ ok: false, reason: 'bad_signature' })
    // the right payload signed with a key the collector does not have
    const stranger = signToken(click, { id: 'k2026', secret: 'someone-else-0123456789abcdef012345' })
    expect(verifyToken(stranger, [NEW])).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('keep working after rotation while the old key is configured', () => {
    const token = signToken(click, OLD)
    expect(verifyToken(token, [NEW, OLD])).toMatchObject({ ok: true, keyId: 'k2025' })
    expect(verifyToken(token, [NEW])).toEqual({ ok: false, reason: 'unknown_key' })
  })

  it('call malformed input malformed, whatever it is', () => {
    for (const junk of [
      '',
      '.',
      'abc',
      'a.b.c',
      `${'A'.repeat(5000)}.x`,
      'eyJ9.AAAAAAAAAAAAAAAAAAAAAA',
      '!!.AAAAAAAAAAAAAAAAAAAAAA',
    ])
      expect(verifyToken(junk, [NEW]), junk.slice(0, 20)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('sign only absolute http(s) targets', () => {
    for (const bad of [
      'javascript:alert(1)',
      '//evil.example/x',
      '/relative',
      'data:text/html,hi',
      'ftp://x.example',
      'https://',
    ])
      expect(() => signToken({ ...click, target: bad }, NEW), bad).toThrow()
    expect(trackableTarget('HTTPS://Shop.Example/a').href).toBe('https://shop.example/a')
  })

  it('never put a raw email address in a URL', () => {
    expect(() => signToken({ ...base, kind: 'open', recipient: 'ada@example.com' }, NEW)).toThrow(/raw email/)
    const hashed = recipientHash(' Ada@Example.com ', 'recipient-secret-0123456789abcdef')
    expect(hashed).toBe(recipientHash('ada@example.com', 'recipient-secret-0123456789abcdef'))
    expect(hashed).not.toContain('ada')
    expect(verifyToken(signToken({ ...base, kind: 'open', recipient: hashed }, NEW), [NEW])).toMatchObject({
      ok: true,
    })
  })

  it('gives an email address the recipient id its emails carry, and nothing else one', () => {
    const secret = 'recipient-secret-0123456789abcdef'
    expect(recipientIdOf('Ada@Example.com', secret)).toBe(recipientHash('ada@example.com', secret))
    expect(recipientIdOf('customer-42', secret)).toBeUndefined()
    expect(recipientIdOf('ada@example.com', undefined)).toBeUndefined()
  })
})
