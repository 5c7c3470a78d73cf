import { isIPv4, isIPv6 } from 'node:net'

/**
 * Anonymises an IP address before it is stored or logged: IPv4 keeps its first three octets (last octet 0),
 * IPv6 its first 48 bits (the last 80 zeroed), as Google Analytics and Matomo do. IPv4-mapped IPv6 addresses
 * are treated as IPv4. Anything that is not an IP address becomes ''.
 */
export function anonymizeIp(ip: string | undefined): string {
  if (!ip) return ''
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  const v4 = mapped ? mapped[1]! : ip
  if (isIPv4(v4)) return `${v4.slice(0, v4.lastIndexOf('.'))}.0`
  if (!isIPv6(ip)) return ''
  const groups = expandIpv6(ip)
  return `${groups
    .slice(0, 3)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::`
}

const V4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/
const V6_BRACKETED = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/

/**
 * X-Forwarded-For with the ports some proxies write beside the addresses taken off (Azure's Application Gateway
 * writes `203.0.113.9:4711`, and `[2001:db8::5]:4711`): the address with its port is no address, so the call was
 * stored with none, placed in no country, and rate-limited by address and port, a new key for each connection.
 * The header as it came when no entry has one.
 */
export function withoutPorts(forwardedFor: string): string {
  if (!forwardedFor.includes(']') && !/\.\d{1,3}:/.test(forwardedFor)) return forwardedFor
  return forwardedFor
    .split(',')
    .map((entry) => {
      const trimmed = entry.trim()
      return (V4_WITH_PORT.exec(trimmed) ?? V6_BRACKETED.exec(trimmed))?.[1] ?? trimmed
    })
    .join(', ')
}

/**
 * The address a rate limit counts by: an IPv4 address as it is, an IPv6 address by its /64, the smallest
 * network one subscriber is given (counting single IPv6 addresses would let one host rotate past any limit).
 */
export function rateLimitAddress(ip: string): string {
  if (!ip.includes(':')) return ip
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]!
  if (!isIPv6(ip)) return ip
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`
}

/** '2001:db8::1' → ['2001','0db8','0000',...,'0001'] (8 groups). Zone ids are dropped. */
function expandIpv6(ip: string): string[] {
  const [addr] = ip.split('%') as [string]
  const [head, tail] = addr.includes('::') ? (addr.split('::') as [string, string]) : [addr, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  // an embedded IPv4 tail (::1.2.3.4) counts as two groups
  const last = right.length ? right : left
  const v4 = last.length && last[last.length - 1]!.includes('.') ? last.pop()! : undefined
  if (v4) {
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number]
    last.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16))
  }
  const missing = tail === undefined ? 0 : 8 - left.length - right.length
  return [...left, ...Array(missing).fill('0'), ...right].map((g) => g.padStart(4, '0'))
}

/** A dotted IPv4 address as a number, -1 for anything else (no leading zeros, as node:net's isIPv4). */
export function ipv4Number(s: string): number {
  let n = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1
      n = n * 256 + part
      part = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return -1
    } else return -1
  }
  return dots === 3 && digits > 0 ? n * 256 + part : -1
}
