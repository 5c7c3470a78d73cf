import type { EmailConfig } from '../config'
import { parseUserAgent } from '../enrich/user-agent'
import { AddressRanges } from '../util/address-ranges'
import { Lru } from '../util/lru'

/**
 * Telling people from machines in email opens and clicks. Each signal and its source is listed in
 * docs/email.md; the verdict and its reason are stored on the event (properties.machine / scanner, and
 * properties.reason), so reports can count them apart and an analyst can see why.
 */

export type OpenVerdict = { machine: boolean; reason: string; proxy: string }
export type ClickVerdict = { scanner: boolean; reason: string }

/** Apple Mail Privacy Protection fetches every image on delivery with exactly this user agent. */
const APPLE_MPP_UA = 'Mozilla/5.0'
/** Image proxies that fetch when a person opens the email (so the open is human, the address is the proxy's). */
const HUMAN_PROXIES: [RegExp, string][] = [
  [/GoogleImageProxy/i, 'gmail'],
  [/YahooMailProxy/i, 'yahoo'],
]
/** Security gateways and link scanners that name themselves. isbot() covers HTTP libraries and headless browsers. */
const SCANNER_UA =
  /barracuda|mimecast|proofpoint|urldefense|messagelabs|symantec|forcepoint|trendmicro|fireeye|sophos|ironport|zscaler|appriver|cloudmark|safelinks|spamtitan|hornetsecurity|vade|bitdefender|checkpoint|kaspersky/i

const seconds = (now: number, sentAt: number) => now / 1000 - sentAt
/** isbot's verdict, from the user-agent cache the event row reads anyway (isbot's regex is 5 µs an open under load) */
const isBotAgent = (ua: string) => parseUserAgent(ua).is_bot === 1

export class EmailClassifier {
  private readonly apple: AddressRanges
  /** Recent clicks per client address and email: the link ids and when. Kept in memory only. */
  private readonly recent = new Lru<string, { at: number; link: string }[]>(50_000)
  /** Addresses that clicked a honeypot link, and when. */
  private readonly honeypotHits = new Lru<string, number>(10_000)

  constructor(private readonly config: EmailConfig) {
    this.apple = new AddressRanges(config.appleProxyRanges)
  }

  open(ua: string, ip: string, sentAt: number, now: number): OpenVerdict {
    const proxy = HUMAN_PROXIES.find(([re]) => re.test(ua))?.[1] ?? ''
    let reason = ''
    if (ua.trim() === APPLE_MPP_UA) reason = 'apple_mpp_user_agent'
    else if (this.apple.has(ip)) reason = 'apple_mpp_address'
    else if (!proxy && seconds(now, sentAt) < this.config.machineOpenSeconds) reason = 'soon_after_send'
    else if (!proxy && isBotAgent(ua)) reason = 'bot_user_agent'
    return { machine: reason !== '', reason, proxy }
  }

  click(
    c: { method: string; ua: string; ip: string; sentAt: number; emailId: string; linkId: string },
    now: number,
    honeypot: boolean,
  ): ClickVerdict {
    const burst = this.burst(`${c.ip}\0${c.emailId}`, c.linkId, now)
    if (honeypot) this.honeypotHits.set(c.ip, now)
    const hp = this.honeypotHits.get(c.ip)
    let reason = ''
    if (honeypot) reason = 'honeypot'
    else if (c.method === 'HEAD') reason = 'head_request'
    else if (SCANNER_UA.test(c.ua) || isBotAgent(c.ua)) reason = 'scanner_user_agent'
    else if (seconds(now, c.sentAt) < this.config.scannerClickSeconds) reason = 'soon_after_send'
    else if (burst) reason = 'burst'
    else if (hp !== undefined && now - hp < 60_000) reason = 'honeypot_address'
    return { scanner: reason !== '', reason }
  }

  /**
   * Whether this click makes burstLinks different links of one email clicked from one address within
   * burstSeconds (a scanner following every link). Only that email's links count, so colleagues behind one
   * office address clicking their own emails are not a burst.
   */
  private burst(key: string, link: string, now: number): boolean {
    const windowMs = this.config.burstSeconds * 1000
    const recent = (this.recent.get(key) ?? []).filter((r) => now - r.at <= windowMs)
    recent.push({ at: now, link })
    this.recent.set(key, recent.slice(-32))
    return new Set(recent.map((r) => r.link)).size >= this.config.burstLinks
  }
}
