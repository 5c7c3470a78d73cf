import type { IncomingEvent } from '@touchpoint/schema'
import { describe, expect, it } from 'vitest'
import { REDACTED_TEXT as R, redactCall, redactEmails, redactUrl, secretNames } from './redact'

describe('redactEmails', () => {
  it.each([
    ['Welcome back, ada@example.com!', `Welcome back, ${R}!`],
    ['ada.lovelace+news@mail.example.co.uk', R],
    ['a@b.io and c_d@e.example.org', `${R} and ${R}`],
    ['write to ada@example.com.', `write to ${R}.`],
    ['email=ada%40example.com&x=1', `email=${R}&x=1`],
    ['email=ada%2Bnews%40example.com', `email=${R}`],
    ['https://user:pass@example.com/', `https://user:${R}/`],
  ])('%s → %s', (text, redacted) => expect(redactEmails(text)).toBe(redacted))

  it.each([
    'https://medium.example/@ada/on-engines', // a handle, not an address
    'user@localhost',
    'trailing@',
    '@example.com',
    'price: 5 @ 3.50',
    'no address at all',
  ])('leaves %s as it is', (text) => expect(redactEmails(text)).toBe(text))

  it.each([
    ['one long run around an at sign', `${'%'.repeat(100_000)}@${'a'.repeat(100_000)}`],
    ['many at signs', 'a@'.repeat(100_000)],
    ['many encoded at signs', 'a%40'.repeat(100_000)],
    ['a domain of dots and dashes', `a@${'.-'.repeat(100_000)}x`],
  ])('stays linear on a hostile text: %s', (_, hostile) => {
    const started = performance.now()
    expect(redactEmails(hostile)).toBe(hostile)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('redactUrl', () => {
  it.each([
    [
      'https://shop.example/thank-you?order=A-1&name=Ada&card=4242424242424242&cvc=123',
      `https://shop.example/thank-you?order=A-1&name=Ada&card=${R}&cvc=${R}`,
    ],
    ['https://app.example/reset?Token=abc&next=%2F', `https://app.example/reset?Token=${R}&next=%2F`],
    [
      'https://app.example/cb#access_token=xyz&token_type=bearer',
      `https://app.example/cb#access_token=${R}&token_type=bearer`,
    ],
    ['https://app.example/#/reset?password=hunter2', `https://app.example/#/reset?password=${R}`],
    ['https://app.example/?access%5Ftoken=xyz', `https://app.example/?access%5Ftoken=${R}`],
    [
      'https://shop.example/?email=ada%40example.com&utm_source=news',
      `https://shop.example/?email=${R}&utm_source=news`,
    ],
    ['https://shop.example/users/ada@example.com/orders', `https://shop.example/users/${R}/orders`],
    ['?card=1&q=jackets', `?card=${R}&q=jackets`],
  ])('%s → %s', (url, redacted) => expect(redactUrl(url)).toBe(redacted))

  it.each([
    'https://shop.example/p?utm_source=news&utm_medium=email&gclid=x',
    'https://shop.example/search?q=card+games&tokens=3', // other names, even ones that contain a secret's
    'https://shop.example/#section-2',
    'https://shop.example/?card', // a name without a value has nothing to hide
    '/app/settings',
    '',
  ])('leaves %s as it is', (url) => expect(redactUrl(url)).toBe(url))
})

describe('redactCall', () => {
  const page = {
    type: 'page',
    anonymousId: 'a-1',
    properties: {
      url: 'https://shop.example/?email=ada%40example.com',
      title: 'Hi ada@example.com',
      plan: 'x@y.io',
    },
    context: {
      page: {
        url: 'https://shop.example/thank-you?card=4242',
        referrer: 'https://shop.example/checkout?cvv=1',
      },
      referrer: { url: 'https://mail.example/?token=t' },
      campaign: { source: 'newsletter', content: 'ada@example.com' },
      locale: 'de-DE',
    },
  } as IncomingEvent

  it('redacts the page fields, the referrer and the campaign tags, and keeps the rest', () => {
    expect(redactCall(page)).toEqual({
      type: 'page',
      anonymousId: 'a-1',
      // a page call's own fields, but not what else its properties say
      properties: { url: `https://shop.example/?email=${R}`, title: `Hi ${R}`, plan: 'x@y.io' },
      context: {
        page: {
          url: `https://shop.example/thank-you?card=${R}`,
          referrer: `https://shop.example/checkout?cvv=${R}`,
        },
        referrer: { url: `https://mail.example/?token=${R}` },
        campaign: { source: 'newsletter', content: R },
        locale: 'de-DE',
      },
    })
  })

  it('does not change the call it was given', () => {
    const before = structuredClone(page)
    redactCall(page)
    expect(page).toEqual(before)
  })

  it('gives back the same call when nothing needs redacting', () => {
    const clean = {
      type: 'page',
      anonymousId: 'a-1',
      properties: { url: 'https://shop.example/?utm_source=x' },
      context: {
        page: { url: 'https://shop.example/?utm_source=x', title: 'Shop' },
        campaign: { source: 'x' },
      },
    } as IncomingEvent
    expect(redactCall(clean)).toBe(clean)
  })

  it("keeps a track call's properties and an identify call's traits as sent", () => {
    const track = {
      type: 'track',
      event: 'Newsletter Joined',
      userId: 'u-1',
      properties: { url: 'https://shop.example/?token=t', email: 'ada@example.com' },
    } as IncomingEvent
    const identify = {
      type: 'identify',
      userId: 'u-1',
      traits: { email: 'ada@example.com' },
    } as IncomingEvent
    expect(redactCall(track)).toBe(track)
    expect(redactCall(identify)).toBe(identify)
  })
})

describe("a project's own names (secretNames)", () => {
  const own = secretNames(['session', 'Phone', '_ref'])
  it.each([
    ['https://x.example/?session=s1&ok=1', `https://x.example/?session=${R}&ok=1`],
    ['https://x.example/?SESSION=s1', `https://x.example/?SESSION=${R}`],
    ['https://x.example/?phone=%2B49151&_ref=n', `https://x.example/?phone=${R}&_ref=${R}`],
    ['https://x.example/?%73ession=s1', `https://x.example/?%73ession=${R}`],
    ['https://x.example/#/login?session=s1', `https://x.example/#/login?session=${R}`],
    ['https://x.example/?token=t&sessions=2', `https://x.example/?token=${R}&sessions=2`],
  ])('%s → %s', (url, redacted) => expect(redactUrl(url, own)).toBe(redacted))

  it('adds to the built-in names, which alone leave a project name as it is', () => {
    expect(redactUrl('https://x.example/?session=s1&cvc=1')).toBe(`https://x.example/?session=s1&cvc=${R}`)
    const call = { type: 'page', anonymousId: 'a', properties: { url: 'https://x.example/?session=s1' } }
    expect(redactCall(call as IncomingEvent, own)).toMatchObject({
      properties: { url: `https://x.example/?session=${R}` },
    })
  })
})
