import { describe, expect, it } from 'vitest'
import { verifyToken } from './token'
import { createEmailTracker } from './tracker'

const KEY = { id: 'k1', secret: 'a-secret-of-at-least-thirty-two-chars!' }
const tracker = createEmailTracker({
  baseUrl: 'https://collect.example.com/',
  projectId: 'shop',
  keys: [KEY],
  recipientSecret: 'recipient-hash-secret-that-never-rotates',
})
const message = {
  campaignId: 'spring',
  messageId: 'm-1',
  recipient: 'cust-42',
  sentAt: new Date(1_700_000_000_000),
}
const tokenOf = (url: string) =>
  decodeURIComponent(
    url
      .split('/')
      .pop()!
      .replace(/\.gif$/, ''),
  )

describe('createEmailTracker', () => {
  it('builds a pixel URL whose token carries campaign, message, recipient and send time', () => {
    const url = tracker.pixelUrl(message)
    expect(url).toMatch(/^https:\/\/collect\.example\.com\/e\/o\/shop\/[\w-]+\.[\w-]+\.gif$/)
    expect(verifyToken(tokenOf(url), [KEY])).toEqual({
      ok: true,
      keyId: 'k1',
      claims: {
        kind: 'open',
        campaignId: 'spring',
        emailId: 'm-1',
        recipient: 'cust-42',
        sentAt: 1_700_000_000,
      },
    })
  })

  it('signs the target and link id into a click URL', () => {
    const url = tracker.linkUrl('https://shop.example.com/sale?x=1', { ...message, linkId: 'hero' })
    expect(url.startsWith('https://collect.example.com/e/c/shop/')).toBe(true)
    const v = verifyToken(tokenOf(url), [KEY])
    expect(v.ok && v.claims).toMatchObject({
      kind: 'click',
      target: 'https://shop.example.com/sale?x=1',
      linkId: 'hero',
    })
  })

  it('puts only a keyed hash of an email address into URLs', () => {
    const url = tracker.pixelUrl({ ...message, recipient: 'Ada@Example.com' })
    const decoded = Buffer.from(tokenOf(url).split('.')[0]!, 'base64url').toString()
    expect(decoded).not.toMatch(/ada|example/i)
    expect(url).not.toMatch(/ada|example\.com\/e\/o\/shop\/.*example/i)
    const v = verifyToken(tokenOf(url), [KEY])
    expect(v.ok && v.claims.recipient).toBe(tracker.recipientId('ada@example.com'))
    expect(tracker.recipientId('ada@example.com')).toMatch(/^h_/)
  })

  it('refuses an email address when it has no secret to hash it with', () => {
    const bare = createEmailTracker({ baseUrl: 'https://c.example.com', projectId: 'p', keys: [KEY] })
    expect(() => bare.pixelUrl({ ...message, recipient: 'ada@example.com' })).toThrow(/recipientSecret/)
  })

  it('refuses javascript: and protocol-relative targets', () => {
    expect(() => tracker.linkUrl('javascript:alert(1)', message)).toThrow()
    expect(() => tracker.linkUrl('//evil.example.com/', message)).toThrow()
  })

  it('describes the send as an Email Sent event with a stable message id', () => {
    const a = tracker.sentEvent(message)
    expect(a).toEqual({
      type: 'track',
      event: 'Email Sent',
      messageId: 'email-sent:spring:m-1:cust-42',
      userId: 'cust-42',
      timestamp: '2023-11-14T22:13:20.000Z',
      properties: { campaignId: 'spring', emailId: 'm-1' },
    })
  })
  it("describes what the email service reported as an event of the send's recipient, one id per message and outcome", () => {
    const at = new Date('2026-12-05T10:00:00Z')
    const byAddress = { ...message, recipient: 'ann@example.com' }
    const bounce = tracker.outcomeEvent(byAddress, 'bounced', {
      at,
      bounceType: 'hard',
      reason: '550 no such user',
    })
    expect(bounce).toEqual({
      type: 'track',
      event: 'Email Bounced',
      messageId: `email-bounced:spring:m-1:${tracker.recipientId('ann@example.com')}`,
      userId: tracker.sentEvent(byAddress).userId,
      timestamp: '2026-12-05T10:00:00.000Z',
      properties: { campaignId: 'spring', emailId: 'm-1', bounceType: 'hard', reason: '550 no such user' },
    })
    expect(bounce.userId).not.toContain('@')
    const events = (['delivered', 'spam', 'unsubscribed'] as const).map((o) =>
      tracker.outcomeEvent(message, o, { at }),
    )
    expect(events.map((e) => [e.event, e.messageId, e.properties])).toEqual([
      ['Email Delivered', 'email-delivered:spring:m-1:cust-42', { campaignId: 'spring', emailId: 'm-1' }],
      ['Email Marked as Spam', 'email-spam:spring:m-1:cust-42', { campaignId: 'spring', emailId: 'm-1' }],
      [
        'Email Unsubscribed',
        'email-unsubscribed:spring:m-1:cust-42',
        { campaignId: 'spring', emailId: 'm-1' },
      ],
    ])
  })
})
