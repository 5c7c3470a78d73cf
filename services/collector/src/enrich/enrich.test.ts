import { describe, expect, it } from 'vitest'
import { campaignOf } from './campaign'
import { channelOf } from './channel'
import { eventTime } from './clock'
import { eventIdFor } from './ids'
import { anonymizeIp, rateLimitAddress, withoutPorts } from './ip'
import { cachedZones, localDay } from './local-day'
import { parseUserAgent } from './user-agent'

describe('anonymizeIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['::ffff:203.0.113.77', '203.0.113.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['not an ip', ''],
    ['', ''],
  ])('%s → %s', (ip, expected) => expect(anonymizeIp(ip)).toBe(expected))
})

describe('channelOf (GA4 default channel grouping)', () => {
  it.each([
    [{ source: '', medium: '', campaign: '' }, 'Direct'],
    [{ source: 'newsletter', medium: 'email', campaign: '' }, 'Email'],
    [{ source: 'google', medium: 'cpc', campaign: '' }, 'Paid Search'],
    [{ source: '', medium: '', campaign: '', gclid: 'abc' }, 'Paid Search'],
    [{ source: 'google.com', medium: 'referral', campaign: '' }, 'Organic Search'],
    [{ source: 'm.facebook.com', medium: 'referral', campaign: '' }, 'Organic Social'],
    [{ source: 'facebook', medium: 'paid_social', campaign: '' }, 'Paid Social'],
    [{ source: 'youtube.com', medium: 'referral', campaign: '' }, 'Organic Video'],
    [{ source: 'partner.example', medium: 'affiliate', campaign: '' }, 'Affiliates'],
    [{ source: 'ads.example', medium: 'display', campaign: '' }, 'Display'],
    [{ source: 'sms', medium: 'text', campaign: '' }, 'SMS'],
    [{ source: 'blog.example', medium: 'referral', campaign: '' }, 'Referral'],
    [{ source: 'amazon', medium: 'cpc', campaign: '' }, 'Paid Shopping'],
    [{ source: 'x', medium: 'ppc', campaign: 'cross-network-q3' }, 'Cross-network'],
    [{ source: 'app', medium: 'push', campaign: '' }, 'Mobile Push Notifications'],
    [{ source: 'somewhere', medium: 'weird', campaign: '' }, 'Unassigned'],
  ])('%o → %s', (input, expected) => expect(channelOf(input)).toBe(expected))
})

describe('campaignOf', () => {
  it('reads UTM tags and click ids from the page URL', () => {
    expect(
      campaignOf(
        'https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring&fbclid=F1',
        '',
        undefined,
      ),
    ).toMatchObject({
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring',
      fbclid: 'F1',
      channel: 'Email',
    })
  })
  it('prefers context.campaign (Segment: name is the campaign)', () => {
    expect(
      campaignOf('https://shop.example/?utm_source=x', '', { source: 'fb', medium: 'cpc', name: 'c1' }),
    ).toMatchObject({
      utm_source: 'fb',
      utm_campaign: 'c1',
      channel: 'Paid Social',
    })
  })
  it('takes the channel from the referrer without tags, and ignores internal referrers', () => {
    expect(
      campaignOf('https://shop.example/p', 'https://www.google.com/search?q=x', undefined),
    ).toMatchObject({
      referrer_host: 'google.com',
      channel: 'Organic Search',
    })
    expect(campaignOf('https://shop.example/p', 'https://blog.example/post', undefined).channel).toBe(
      'Referral',
    )
    expect(campaignOf('https://shop.example/b', 'https://shop.example/a', undefined)).toMatchObject({
      referrer_host: '',
      channel: 'Direct',
    })
  })
  it("gives a session's later pages the channel of the referrer it landed from (context.referrer)", () => {
    const landed = 'https://www.google.com/'
    const next = campaignOf('https://shop.example/p', 'https://shop.example/', undefined, landed)
    // the page's own referrer is what the row keeps; the channel is the visit's
    expect(next).toMatchObject({ referrer_host: '', channel: 'Organic Search' })
    // a page's own external referrer still counts first
    expect(campaignOf('https://shop.example/p', 'https://blog.example/', undefined, landed).channel).toBe(
      'Referral',
    )
    // and the session's tags before any referrer
    expect(
      campaignOf('https://shop.example/p', '', { source: 'news', medium: 'email' }, landed).channel,
    ).toBe('Email')
    // a landing referrer on the site's own host is no source
    const internal = 'https://shop.example/a'
    expect(campaignOf('https://shop.example/b', '', undefined, internal).channel).toBe('Direct')
  })
  it("gives a call that carries its visit (tp.js) the visit's channel, whatever site the page was reached from", () => {
    const fromGoogle = 'https://www.google.com/'
    // a hop from another of the site's domains (tp.js carried the visit across) or subdomains
    expect(
      campaignOf('https://help.example/', 'https://shop.example/p', undefined, fromGoogle, true),
    ).toMatchObject({
      referrer_host: 'shop.example',
      channel: 'Organic Search',
    })
    expect(
      campaignOf('https://blog.shop.example/', 'https://www.shop.example/', undefined, '', true).channel,
    ).toBe('Direct')
    // the landing page of a visit from another site: its referrer is the visit's
    expect(
      campaignOf('https://shop.example/', 'https://blog.example/', undefined, 'https://blog.example/', true)
        .channel,
    ).toBe('Referral')
  })
  it("counts a visit from another of the project's own sites (allowedOrigins) as no referral", () => {
    const sites = ['shop.example', 'help.example']
    // a visit that starts on the help site from the shop, 30 idle minutes after the shop's visit
    const hop = (own: string[]) =>
      campaignOf(
        'https://help.example/faq',
        'https://www.shop.example/cart',
        undefined,
        'https://shop.example/cart',
        true,
        own,
      )
    expect(hop(sites)).toMatchObject({ referrer_host: 'shop.example', channel: 'Direct' })
    expect(hop([]).channel).toBe('Referral')
    // a call without its visit (a Segment library's page call), by its own referrer
    expect(
      campaignOf('https://help.example/', 'https://shop.example/', undefined, '', false, sites).channel,
    ).toBe('Direct')
    expect(
      campaignOf('https://help.example/', 'https://blog.example/', undefined, '', false, sites).channel,
    ).toBe('Referral')
  })
  it('counts a Google Ads click id as paid search on the landing page, whatever the referrer', () => {
    // the ad's landing: Google is the referrer too, which alone would be organic search
    const landing = campaignOf('https://shop.example/?gclid=G1', 'https://www.google.com/', undefined)
    expect(landing).toMatchObject({ gclid: 'G1', referrer_host: 'google.com', channel: 'Paid Search' })
    // the next page of the same visit: an internal referrer, the click id kept by the SDK
    const next = campaignOf('https://shop.example/p', 'https://shop.example/?gclid=G1', { gclid: 'G1' })
    expect(next.channel).toBe(landing.channel)
    // tags the site set itself still say what the visit was
    expect(
      campaignOf('https://shop.example/?utm_source=newsletter&utm_medium=email&gclid=G1', '', undefined)
        .channel,
    ).toBe('Email')
  })
})

describe('rateLimitAddress', () => {
  it.each([
    ['203.0.113.77', '203.0.113.77'],
    ['::ffff:203.0.113.77', '203.0.113.77'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:0db8:85a3:08d3::/64'],
    ['2001:db8:85a3:8d3::1', '2001:0db8:85a3:08d3::/64'],
    ['2001:db8::1', '2001:0db8:0000:0000::/64'],
  ])('%s counts as %s', (ip, address) => expect(rateLimitAddress(ip)).toBe(address))
})

describe('withoutPorts', () => {
  it.each([
    ['203.0.113.9:4711', '203.0.113.9'],
    ['[2001:db8::5]:4711, 10.0.0.2:80', '2001:db8::5, 10.0.0.2'],
    ['[2001:db8::5]', '2001:db8::5'],
    ['6.6.6.6, 203.0.113.9:4711,10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.2'],
  ])('%s reads %s', (header, addresses) => expect(withoutPorts(header)).toBe(addresses))

  it('leaves a header without ports as it came, IPv6 addresses included', () => {
    for (const header of ['203.0.113.9', '2001:db8:1:2::5, 203.0.113.9', 'unknown', '2001:0db8:0:1:2:3:4:5'])
      expect(withoutPorts(header)).toBe(header)
  })
})

describe('eventTime', () => {
  const receivedAt = Date.UTC(2026, 10, 22, 12, 0, 0)
  const iso = (ms: number) => new Date(ms).toISOString()
  it('corrects clock skew with sentAt', () => {
    const skew = 3_600_000
    expect(
      eventTime({
        timestamp: iso(receivedAt + skew - 5000),
        sentAt: iso(receivedAt + skew),
        receivedAt,
        trusted: false,
      }),
    ).toBe(receivedAt - 5000)
  })
  it('leaves a clock within the tolerance alone, so transit time does not reorder quick events', () => {
    // two clicks 30 ms apart that went out in requests with different transit times (5 ms and 400 ms)
    const first = eventTime({
      timestamp: iso(receivedAt - 1000),
      sentAt: iso(receivedAt - 1000),
      receivedAt: receivedAt - 995,
      trusted: false,
    })
    const second = eventTime({
      timestamp: iso(receivedAt - 970),
      sentAt: iso(receivedAt - 970),
      receivedAt: receivedAt - 570,
      trusted: false,
    })
    expect([first, second]).toEqual([receivedAt - 1000, receivedAt - 970])
  })
  it('uses the receive time without a timestamp, and for untrusted back-dating or future times', () => {
    expect(eventTime({ timestamp: undefined, sentAt: undefined, receivedAt, trusted: false })).toBe(
      receivedAt,
    )
    expect(
      eventTime({ timestamp: '2020-01-01T00:00:00Z', sentAt: undefined, receivedAt, trusted: false }),
    ).toBe(receivedAt)
    expect(
      eventTime({ timestamp: iso(receivedAt + 86_400_000), sentAt: undefined, receivedAt, trusted: true }),
    ).toBe(receivedAt)
  })
  it('lets trusted (secret-key) calls import history, to the millisecond', () => {
    expect(
      eventTime({ timestamp: '2020-01-01T00:00:00Z', sentAt: undefined, receivedAt, trusted: true }),
    ).toBe(Date.UTC(2020, 0, 1))
    // a server's clock is not corrected by the request's transit time
    expect(
      eventTime({
        timestamp: '2020-01-01T00:00:00Z',
        sentAt: iso(receivedAt - 40),
        receivedAt,
        trusted: true,
      }),
    ).toBe(Date.UTC(2020, 0, 1))
  })
})

describe('eventIdFor', () => {
  it('is a stable UUID per project and messageId', () => {
    const a = eventIdFor('shop', 'm-1')
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(eventIdFor('shop', 'm-1')).toBe(a)
    expect(eventIdFor('blog', 'm-1')).not.toBe(a)
    expect(eventIdFor('shop', undefined)).not.toBe(eventIdFor('shop', undefined))
  })

  it('gives the ids stored before, so that a retry after an upgrade still matches its event', () => {
    expect(eventIdFor('shop', 'm-1')).toBe('ec143026-7254-8eb3-acd3-02d708ccb7c4')
    expect(eventIdFor('shop', 'ünï-🎉')).toBe('1b6f8a2d-6c5f-8e67-9bbe-59b0b90b71e8')
  })
})

describe('parseUserAgent', () => {
  it('recognises browsers, mobile devices and bots', () => {
    const iphone = parseUserAgent(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    )
    expect(iphone).toMatchObject({
      browser: 'Mobile Safari',
      os: 'iOS',
      device_type: 'mobile',
      device_vendor: 'Apple',
      is_bot: 0,
    })
    expect(
      parseUserAgent('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)').is_bot,
    ).toBe(1)
    expect(parseUserAgent(undefined).browser).toBe('')
  })
})

describe('localDay', () => {
  it('keeps one formatter for a zone however a client spells its case', () => {
    const before = cachedZones()
    const zone = 'America/Argentina/ComodRivadavia' // an alias Intl takes, with many letters to flip
    for (let i = 0; i < 2000; i++) {
      const spelled = [...zone]
        .map((c, k) => ((i >> (k % 11)) & 1 ? c.toUpperCase() : c.toLowerCase()))
        .join('')
      expect(localDay('2026-12-06 03:00:00.000', spelled)).toBe('2026-12-06')
    }
    expect(cachedZones()).toBe(before + 1)
  })
})
