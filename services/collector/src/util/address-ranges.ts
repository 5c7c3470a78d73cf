import { BlockList, isIPv6 } from 'node:net'
import { ipv4Number } from '../enrich/ip'

/**
 * CIDR ranges: IPv4 ones as number intervals, IPv6 ones in a BlockList. BlockList.check builds a SocketAddress
 * on every call, 10 µs of the pixel's request under load (--cpu-prof), even with no range at all.
 */
export class AddressRanges {
  private readonly v4: Array<[number, number]> = []
  private readonly v6 = new BlockList()
  private v6Count = 0

  constructor(ranges: readonly string[]) {
    for (const range of ranges) {
      const [net, bits] = range.split('/') as [string, string]
      const start = ipv4Number(net)
      if (start >= 0) {
        const size = 2 ** (32 - Math.min(32, Number(bits)))
        const lo = start - (start % size)
        this.v4.push([lo, lo + size - 1])
      } else if (isIPv6(net)) {
        this.v6.addSubnet(net, Number(bits), 'ipv6')
        this.v6Count++
      }
    }
  }

  has(address: string): boolean {
    // an IPv4 client of a server listening on IPv6 shows as ::ffff:a.b.c.d
    const ip = address.startsWith('::ffff:') ? address.slice(7) : address
    const n = ipv4Number(ip)
    if (n >= 0) {
      for (const [lo, hi] of this.v4) if (n >= lo && n <= hi) return true
      return false
    }
    return this.v6Count > 0 && isIPv6(ip) && this.v6.check(ip, 'ipv6')
  }
}
