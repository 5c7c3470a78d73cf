import { describe, expect, it } from 'vitest'
import { EmailClassifier } from './classify'

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const config = {
  keys: [{ id: 'k', secret: 'x'.repeat(32) }],
  utmSource: 'email',
  machineOpenSeconds: 5,
  scannerClickSeconds: 10,
  burstLinks: 3,
  burstSeconds: 2,
  appleProxyRanges: ['17.58.0.0/16', '2a01:b740::/32'],
  handoffSeconds: 600,
}
const SENT = 1_700_000_000 // seconds
const later = (s: number) => (SENT + s) * 1000

describe('EmailClassifier.open', () => {
  const c = new EmailClassifier(config)
  it.each([
    ['a person in a browser, an hour later', CHROME, '203.0.113.9', 3600, false, '', ''],
    ['Apple MPP user agent', 'Mozilla/5.0', '203.0.113.9', 3600, true, 'apple_mpp_user_agent', ''],
    ['an Apple egress address (IPv4)', CHROME, '17.58.1.2', 3600, true, 'apple_mpp_address', ''],
    ['an Apple egress address (IPv6)', CHROME, '2a01:b740:1::5', 3600, true, 'apple_mpp_address', ''],
    ['the last address of an Apple range', CHROME, '17.58.255.255', 3600, true, 'apple_mpp_address', ''],
    ['the address just past an Apple range', CHROME, '17.59.0.0', 3600, false, '', ''],
    ['the address just before an Apple range', CHROME, '17.57.255.255', 3600, false, '', ''],
    ['an IPv4 address written with a leading zero', CHROME, '017.58.1.2', 3600, false, '', ''],
    ['an IPv6 address outside the ranges', CHROME, '2a01:b741::5', 3600, false, '', ''],
    ['two seconds after the send', CHROME, '203.0.113.9', 2, true, 'soon_after_send', ''],
    [
      'Gmail image proxy: a person opening',
      'Mozilla/5.0 (via ggpht.com GoogleImageProxy)',
      '66.249.1.1',
      3600,
      false,
      '',
      'gmail',
    ],
    [
      'Yahoo proxy: a person opening',
      'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
      '1.2.3.4',
      3600,
      false,
      '',
      'yahoo',
    ],
    ['an HTTP library', 'python-requests/2.31', '203.0.113.9', 3600, true, 'bot_user_agent', ''],
  ])('%s', (_, ua, ip, after, machine, reason, proxy) => {
    expect(c.open(ua, ip, SENT, later(after))).toEqual({ machine, reason, proxy })
  })
})

describe('EmailClassifier.click', () => {
  const click = (
    c: EmailClassifier,
    over: Partial<Parameters<EmailClassifier['click']>[0]>,
    at: number,
    hp = false,
  ) =>
    c.click(
      { method: 'GET', ua: CHROME, ip: '198.51.100.7', sentAt: SENT, emailId: 'e1', linkId: 'l1', ...over },
      at,
      hp,
    )

  it('tells HEAD requests, scanner agents, early clicks and honeypot hits from a person', () => {
    const c = new EmailClassifier(config)
    expect(click(c, {}, later(600))).toEqual({ scanner: false, reason: '' })
    expect(click(c, { method: 'HEAD', ip: '10.0.0.1' }, later(600)).reason).toBe('head_request')
    expect(click(c, { ua: 'Barracuda Sentinel (EE)', ip: '10.0.0.2' }, later(600)).reason).toBe(
      'scanner_user_agent',
    )
    expect(click(c, { ip: '10.0.0.3' }, later(3)).reason).toBe('soon_after_send')
    expect(click(c, { ip: '10.0.0.4', linkId: '_hp' }, later(600), true).reason).toBe('honeypot')
    // the same address right after the honeypot: the scanner's other links
    expect(click(c, { ip: '10.0.0.4', linkId: 'l2' }, later(601)).reason).toBe('honeypot_address')
    expect(click(c, { ip: '10.0.0.4', linkId: 'l2' }, later(700)).scanner).toBe(false)
  })

  it('calls three different links of one email from one address within two seconds a burst', () => {
    const c = new EmailClassifier(config)
    expect(click(c, { linkId: 'a' }, later(600)).scanner).toBe(false)
    expect(click(c, { linkId: 'b' }, later(600) + 500).scanner).toBe(false)
    expect(click(c, { linkId: 'c' }, later(600) + 1500)).toEqual({ scanner: true, reason: 'burst' })
    // the same link twice is no burst, nor are other emails clicked from the same office address
    const d = new EmailClassifier(config)
    for (const [emailId, linkId] of [
      ['e1', 'a'],
      ['e1', 'a'],
      ['e2', 'a'],
      ['e3', 'b'],
    ])
      expect(click(d, { emailId, linkId }, later(600)).scanner).toBe(false)
    // links spread over more than two seconds are a person reading
    const e = new EmailClassifier(config)
    for (const [i, linkId] of ['a', 'b', 'c'].entries())
      expect(click(e, { linkId }, later(600) + i * 1500).scanner).toBe(false)
  })
})
