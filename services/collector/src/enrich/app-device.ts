import { isPlainObject, type JsonObject } from '@touchpoint/schema'
import type { UserAgentInfo } from './user-agent'

/**
 * Calls that Segment's mobile and server libraries send. Their request's User-Agent is their HTTP client's
 * (`okhttp/4.12`, `analytics-ios/4.1`, `analytics-ruby/2.4`), which isbot takes for a bot, and which says nothing
 * of a person's device: read as a browser's, every event of an app or a Ruby server was flagged and left out of the
 * reports. A call comes from such a library when `context.library.name` is one of Segment's `analytics-…`
 * libraries (its browser library is `analytics.js`), or when its context describes the device or OS, as mobile
 * libraries do.
 */
export function fromALibrary(ctx: JsonObject): boolean {
  const library = isPlainObject(ctx.library) ? ctx.library.name : undefined
  return (
    (typeof library === 'string' && /^analytics-/i.test(library)) ||
    isPlainObject(ctx.device) ||
    isPlainObject(ctx.os)
  )
}

const text = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : '')
const MOBILE = new Set(['ios', 'android', 'ipados', 'tvos', 'watchos'])

/** The device a mobile library's context describes (Segment's `context.device` and `context.os`); never a bot. */
export function appDevice(ctx: JsonObject): UserAgentInfo {
  const device = isPlainObject(ctx.device) ? ctx.device : {}
  const os = isPlainObject(ctx.os) ? ctx.os : {}
  const type = text(device.type).toLowerCase()
  return {
    browser: '',
    browser_version: '',
    os: text(os.name),
    os_version: text(os.version),
    device_type: MOBILE.has(type) ? 'mobile' : type,
    device_vendor: text(device.manufacturer),
    device_model: text(device.model),
    is_bot: 0,
  }
}
