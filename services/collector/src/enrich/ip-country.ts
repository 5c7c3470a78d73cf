import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { setImmediate } from 'node:timers/promises'
import { ipv4Number } from './ip'

/**
 * The country of an IP address, from a table of address ranges the operator downloads (GEOIP_COUNTRY_CSV): DB-IP's
 * "IP to Country Lite" CSV (`first,last,country`, dotted and colon addresses; CC BY 4.0) or its City Lite (the
 * country fourth), or IP2Location's LITE DB1 and up (`"first","last","country",…`, addresses as decimal integers),
 * IPv4 and IPv6 ranges in one file or either alone. The look-up is done on the request path, before the address is
 * anonymised, and only the country is stored (`ip_country`); without a table, reports read the country from the
 * visitor's time zone (analytics' fields.ts).
 *
 * IPv4 ranges are kept as numbers, IPv6 ranges by their first 64 bits (the network part: providers route and
 * registries allocate no finer) as two 32-bit halves, in typed arrays sorted by the first address, and looked up
 * by binary search; addresses are parsed by hand, without BigInt on the request path. A country of `ZZ` or `-`
 * (the tables' "unknown") counts as none. bench/ip-country-cost.ts measures it (docs/performance.md).
 */
export class IpCountries {
  private constructor(
    private readonly v4: RangeTable,
    private readonly v6: RangeTable,
    /** how many ranges of each family were read */
    readonly counts: { v4: number; v6: number },
  ) {}

  /** Reads a range table; an unreadable line throws an error naming the file and the line. */
  static load(file: string): IpCountries {
    return IpCountries.parse(readFileSync(file, 'utf8'), file)
  }

  static parse(text: string, name = 'the table'): IpCountries {
    const reader = new TableReader(name)
    reader.read(text)
    return IpCountries.of(reader)
  }

  /**
   * Reads a range table while the process goes on serving: the file is decoded and read a slice of whole lines
   * (SLICE_BYTES) at a time, each in a turn of the event loop of its own (a few milliseconds each; a table of
   * DB-IP's size takes about a second in all), so a reload adds no more than a slice's time to a request's wait.
   * Errors as load's.
   */
  static async read(file: string): Promise<IpCountries> {
    const bytes = await readFile(file)
    const reader = new TableReader(file)
    for (let at = 0; at < bytes.length; ) {
      const newline = bytes.indexOf(10, Math.min(at + SLICE_BYTES, bytes.length))
      const end = newline < 0 ? bytes.length : newline + 1
      reader.read(bytes.toString('utf8', at, end))
      at = end
      await setImmediate()
    }
    return IpCountries.of(reader)
  }

  private static of(reader: TableReader): IpCountries {
    const { v4, v6 } = reader
    return new IpCountries(v4.table(), v6.table(), { v4: v4.length, v6: v6.length })
  }

  /** The ISO 3166 code of an address's country ('' for none, or for no address). */
  lookup(ip: string): string {
    // an IPv4 client of a server listening on IPv6 shows as ::ffff:a.b.c.d
    const n = ipv4Number(ip.startsWith('::ffff:') ? ip.slice(7) : ip)
    if (n >= 0) return find(this.v4, 0, n)
    return ipv6Groups(ip)
      ? find(this.v6, GROUPS[0]! * 65536 + GROUPS[1]!, GROUPS[2]! * 65536 + GROUPS[3]!)
      : ''
  }
}

const LAYOUTS =
  'expected DB-IP\'s IP to Country Lite or City Lite CSV (first,last,country / first,last,continent,country,…) or IP2Location\'s LITE CSV ("first","last","country",…)'

/** About how many bytes of a table's file read() decodes and reads in one turn of the event loop (whole lines). */
const SLICE_BYTES = 64 * 1024

/** A table's text read in pieces of whole lines into a range list of each family. */
class TableReader {
  readonly v4 = new RangeList()
  readonly v6 = new RangeList()
  private lineNo = 0
  /** which column holds the country: the layout of the first line of ranges says (countryColumn) */
  private column = -1

  constructor(private readonly name: string) {}

  /** Reads the lines of a piece of the text, which ends at the end of a line (or of the text). */
  read(text: string) {
    const { name } = this
    for (let at = 0; at < text.length; ) {
      let end = text.indexOf('\n', at)
      if (end < 0) end = text.length
      const line = text.slice(at, end).trim()
      at = end + 1
      const lineNo = ++this.lineNo
      if (line === '' || line.startsWith('#')) continue
      if (lineNo === 1 && !/\d/.test(line.slice(0, line.indexOf(',')))) continue // a header line
      if (this.column < 0) this.column = countryColumn(line, `${name}, line ${lineNo}`)
      const column = this.column
      const fields = line.split(',', column + 1)
      if (fields.length <= column) throw new Error(`${name}, line ${lineNo}: ${LAYOUTS}`)
      const [first, last] = fields.map(unquote) as [string, string]
      const country = countryCode(unquote(fields[column]!))
      // IP2Location's unknown ranges ('-') may span IPv6's and the IPv4-mapped block: not read at all
      if (country < 0) continue
      const a = rangeBound(first)
      const b = rangeBound(last)
      if (!a || !b || a.family !== b.family || compare(a.hi, a.lo, b.hi, b.lo) > 0)
        throw new Error(`${name}, line ${lineNo}: ${first} to ${last} is not a range of addresses`)
      ;(a.family === 4 ? this.v4 : this.v6).add(a.hi, a.lo, b.hi, b.lo, country)
    }
  }
}

/**
 * The column of a table's country code, by its first line of ranges: IP2Location quotes its fields and keeps the
 * code third in every edition (DB1 to DB11); DB-IP's country lite has three fields, the code third, and its city
 * lite eight or more, the continent third and the code fourth. Anything else (DB-IP's ASN table, a table of cities
 * without countries) is refused rather than read wrong: a continent (EU, NA, AS) reads as a country.
 */
function countryColumn(line: string, where: string): number {
  if (line.startsWith('"')) return 2
  const fields = line.split(',').length
  if (fields === 3) return 2
  if (fields >= 8) return 3
  throw new Error(`${where}: ${LAYOUTS}`)
}

/** Country codes as numbers, AA = 0 to ZZ = 675; -1 for none (ZZ, '-', anything but two letters). */
function countryCode(cc: string): number {
  if (!/^[A-Za-z]{2}$/.test(cc)) return -1
  const up = cc.toUpperCase()
  return up === 'ZZ' ? -1 : (up.charCodeAt(0) - 65) * 26 + (up.charCodeAt(1) - 65)
}
const COUNTRIES = Array.from({ length: 676 }, (_, i) =>
  String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)),
)

const unquote = (field: string) => {
  const f = field.trim()
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1) : f
}

/** Two 64-bit keys as (high, low) 32-bit halves: -1, 0 or 1. */
const compare = (ah: number, al: number, bh: number, bl: number) =>
  ah !== bh ? (ah < bh ? -1 : 1) : al !== bl ? (al < bl ? -1 : 1) : 0

interface RangeTable {
  startHi: Uint32Array
  startLo: Uint32Array
  endHi: Uint32Array
  endLo: Uint32Array
  country: Uint16Array
}

/** The ranges of one family as they are read, then sorted by their first key into typed arrays. */
class RangeList {
  private readonly values: number[] = []
  get length() {
    return this.values.length / 5
  }
  add(sh: number, sl: number, eh: number, el: number, country: number) {
    this.values.push(sh, sl, eh, el, country)
  }
  table(): RangeTable {
    const v = this.values
    const n = this.length
    const order = new Uint32Array(n)
    let sorted = true
    for (let i = 0; i < n; i++) {
      order[i] = i * 5
      if (i > 0 && compare(v[i * 5 - 5]!, v[i * 5 - 4]!, v[i * 5]!, v[i * 5 + 1]!) > 0) sorted = false
    }
    // a downloaded table is in order already, and is taken as it is
    if (!sorted) order.sort((a, b) => compare(v[a]!, v[a + 1]!, v[b]!, v[b + 1]!))
    const t: RangeTable = {
      startHi: new Uint32Array(n),
      startLo: new Uint32Array(n),
      endHi: new Uint32Array(n),
      endLo: new Uint32Array(n),
      country: new Uint16Array(n),
    }
    for (let i = 0; i < n; i++) {
      const at = order[i]!
      t.startHi[i] = v[at]!
      t.startLo[i] = v[at + 1]!
      t.endHi[i] = v[at + 2]!
      t.endLo[i] = v[at + 3]!
      t.country[i] = v[at + 4]!
    }
    return t
  }
}

/** The country of the last range that starts at or before the key, if it reaches the key. */
function find(t: RangeTable, hi: number, lo: number): string {
  let low = 0
  let high = t.startHi.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >>> 1
    if (compare(t.startHi[mid]!, t.startLo[mid]!, hi, lo) <= 0) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found >= 0 && compare(hi, lo, t.endHi[found]!, t.endLo[found]!) <= 0
    ? COUNTRIES[t.country[found]!]!
    : ''
}

/** The eight 16-bit groups of the last IPv6 address ipv6Groups read (one buffer: the request path allocates none). */
const GROUPS = new Uint16Array(8)
const WORDS = new Uint16Array(8)

/** A hex digit's value, -1 for any other character. */
const hexValue = (c: number) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

/** Reads an IPv6 address (zone id dropped, an IPv4 tail allowed) into GROUPS; false for anything else. */
function ipv6Groups(ip: string): boolean {
  const zone = ip.indexOf('%')
  const end = zone < 0 ? ip.length : zone
  let n = 0
  let gap = -1
  let i = 0
  if (ip.startsWith('::')) {
    gap = 0
    i = 2
  }
  while (i < end) {
    const start = i
    let value = 0
    for (let h = hexValue(ip.charCodeAt(i)); i < end && h >= 0; h = hexValue(ip.charCodeAt(++i)))
      value = value * 16 + h
    if (i < end && ip.charCodeAt(i) === 46) {
      // the IPv4 tail, two groups
      const v4 = ipv4Number(ip.slice(start, end))
      if (v4 < 0 || n > 6) return false
      WORDS[n++] = Math.floor(v4 / 65536)
      WORDS[n++] = v4 % 65536
      break
    }
    if (i === start || i - start > 4 || n === 8) return false
    WORDS[n++] = value
    if (i === end) break
    if (ip.charCodeAt(i) !== 58 || ++i === end) return false
    if (ip.charCodeAt(i) === 58) {
      if (gap >= 0) return false
      gap = n
      i++
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false
  GROUPS.fill(0)
  const head = gap < 0 ? n : gap
  for (let k = 0; k < head; k++) GROUPS[k] = WORDS[k]!
  for (let k = head; k < n; k++) GROUPS[8 - (n - k)] = WORDS[k]!
  return true
}

/** ::ffff:0.0.0.0, where IPv4 addresses begin in IPv6's space (IP2Location's IPv6 table gives IPv4's there) */
const MAPPED = 0xffff_0000_0000n

/**
 * A range bound as a 64-bit key: IPv4's address (high half 0), IPv6's first 64 bits. A dotted or colon address,
 * or a decimal integer (IP2Location's): IPv4 up to 2^32 − 1, and in the IPv4-mapped block of IPv6
 * (::ffff:a.b.c.d), as IPv6 spells IPv4 addresses, else IPv6.
 */
function rangeBound(text: string): { family: 4 | 6; hi: number; lo: number } | undefined {
  const v4 = ipv4Number(text.toLowerCase().startsWith('::ffff:') ? text.slice(7) : text)
  if (v4 >= 0) return { family: 4, hi: 0, lo: v4 }
  if (ipv6Groups(text))
    return { family: 6, hi: GROUPS[0]! * 65536 + GROUPS[1]!, lo: GROUPS[2]! * 65536 + GROUPS[3]! }
  if (!/^\d{1,39}$/.test(text)) return undefined
  const value = BigInt(text)
  if (value < 2n ** 32n) return { family: 4, hi: 0, lo: Number(value) }
  if (value >= MAPPED && value < MAPPED + 2n ** 32n) return { family: 4, hi: 0, lo: Number(value - MAPPED) }
  if (value >= 2n ** 128n) return undefined
  const top = value >> 64n
  return { family: 6, hi: Number(top >> 32n), lo: Number(top & 0xffff_ffffn) }
}
