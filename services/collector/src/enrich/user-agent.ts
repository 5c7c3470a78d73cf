import { isbot } from 'isbot'
import { UAParser } from 'ua-parser-js'
import { Lru } from '../util/lru'

export interface UserAgentInfo {
  browser: string
  browser_version: string
  os: string
  os_version: string
  device_type: string
  device_vendor: string
  device_model: string
  is_bot: number
}

/** Distinct user agents remembered; real traffic has few, so parsing (the costly part) happens rarely. */
const CACHE_SIZE = 10_000
const cache = new Lru<string, UserAgentInfo>(CACHE_SIZE)
const EMPTY: UserAgentInfo = {
  browser: '',
  browser_version: '',
  os: '',
  os_version: '',
  device_type: '',
  device_vendor: '',
  device_model: '',
  is_bot: 0,
}

/**
 * Browser, OS and device from ua-parser-js (MIT 1.x line), and the bot flag from isbot. ua-parser-js leaves
 * device type empty for desktops; it is reported as 'desktop' here so reports need no special case.
 */
export function parseUserAgent(ua: string | undefined): UserAgentInfo {
  if (!ua) return EMPTY
  const hit = cache.get(ua)
  if (hit) return hit
  const r = new UAParser(ua).getResult()
  const bot = isbot(ua)
  const info: UserAgentInfo = {
    browser: r.browser.name ?? '',
    browser_version: r.browser.version ?? '',
    os: r.os.name ?? '',
    os_version: r.os.version ?? '',
    device_type: r.device.type ?? (bot ? 'bot' : r.os.name || r.browser.name ? 'desktop' : ''),
    device_vendor: r.device.vendor ?? '',
    device_model: r.device.model ?? '',
    is_bot: bot ? 1 : 0,
  }
  cache.set(ua, info)
  return info
}
