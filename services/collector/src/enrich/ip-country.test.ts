import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../../test/helpers/collector'
import { IpCountries } from './ip-country'

// DB-IP's country lite CSV, as downloaded (documentation and private ranges here), out of order
const DBIP = [
  '198.51.100.0,198.51.100.255,NZ',
  '192.0.2.0,192.0.2.127,DE',
  '192.0.2.128,192.0.2.255,FR',
  '203.0.113.0,203.0.113.255,ZZ',
  '2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,JP',
  '2001:db8:1::,2001:db8:1:0:ffff:ffff:ffff:ffff,BR',
].join('\n')

// IP2Location's LITE DB1 (IPv6 edition): decimal bounds, IPv4 in the ::ffff:0:0/96 block, a header and names
const IP2LOCATION = [
  '"ip_from","ip_to","country_code","country_name"',
  '"0","281470681743359","-","-"',
  `"${0xffff_0000_0000 + 0xc0000200}","${0xffff_0000_0000 + 0xc00002ff}","IT","Italy"`,
  `"${(0x2001_0db8n << 96n).toString()}","${((0x2001_0db8n << 96n) + (1n << 80n) - 1n).toString()}","CA","Canada"`,
].join('\r\n')

describe('IpCountries', () => {
  it("finds an address's country in DB-IP's table, IPv4, IPv6 and IPv4 as IPv6 spells it", () => {
    const t = IpCountries.parse(DBIP)
    expect(t.counts).toEqual({ v4: 3, v6: 2 })
    expect(t.lookup('192.0.2.1')).toBe('DE')
    expect(t.lookup('192.0.2.127')).toBe('DE')
    expect(t.lookup('192.0.2.128')).toBe('FR')
    expect(t.lookup('::ffff:198.51.100.77')).toBe('NZ')
    expect(t.lookup('2001:db8::1')).toBe('JP')
    expect(t.lookup('2001:db8:0:ffff::9')).toBe('JP')
    expect(t.lookup('2001:db8:1::abcd')).toBe('BR')
    // between ranges, before the first and after the last, unknown (ZZ), or no address
    for (const none of ['192.0.1.255', '0.0.0.0', '255.255.255.255', '203.0.113.9', '2001:db8:2::1', '', 'x'])
      expect(t.lookup(none), none).toBe('')
  })

  it("reads IP2Location's decimal bounds, its header and its IPv4 ranges in IPv6's space", () => {
    const t = IpCountries.parse(IP2LOCATION)
    expect(t.counts).toEqual({ v4: 1, v6: 1 })
    expect(t.lookup('192.0.2.9')).toBe('IT')
    expect(t.lookup('2001:db8:0:1234::1')).toBe('CA')
    expect(t.lookup('2001:db9::1')).toBe('')
  })

  it("reads the country of DB-IP's city table, and refuses a table whose third column is no country", () => {
    // DB-IP's city lite: the continent third, the country fourth, a quoted city with a comma
    const city = IpCountries.parse(
      [
        '198.51.100.0,198.51.100.255,OC,NZ,Auckland,"Auckland, Central",-36.8,174.7',
        '192.0.2.0,192.0.2.255,EU,DE,Berlin,Berlin,52.5,13.4',
      ].join('\n'),
    )
    expect([city.lookup('198.51.100.9'), city.lookup('192.0.2.1')]).toEqual(['NZ', 'DE'])
    // DB-IP's ASN lite: a number and an organisation, no country
    expect(() => IpCountries.parse('1.0.0.0,1.0.0.255,13335,Cloudflare', 'asn.csv')).toThrow(
      /^asn\.csv, line 1: expected DB-IP's IP to Country Lite or City Lite CSV/,
    )
  })

  it('names the line it cannot read', () => {
    expect(() => IpCountries.parse('1.2.3.4,1.2.3.0,DE', 'geo.csv')).toThrow(
      'geo.csv, line 1: 1.2.3.4 to 1.2.3.0 is not a range of addresses',
    )
    expect(() => IpCountries.parse('1.2.3.0,1.2.3.255,DE\n1.2.3.0;DE', 'geo.csv')).toThrow(
      /^geo\.csv, line 2: expected DB-IP's/,
    )
    expect(() => IpCountries.parse('1.2.3.0,2001:db8::,DE')).toThrow(/line 1/)
  })
})

describe('IpCountries, the addresses it reads', () => {
  const t = IpCountries.parse(
    [
      '2001:db8::,2001:db8::ffff:ffff:ffff:ffff,JP',
      '::,::ffff:ffff:ffff:ffff,AQ',
      '2001:db8:0:1::,2001:db8:0:1:ffff:ffff:ffff:ffff,BR',
      'fe80::,fe80::ffff:ffff:ffff:ffff,CH',
      '64:ff9b::,64:ff9b::ffff:ffff:ffff:ffff,NL',
    ].join('\n'),
  )
  it.each([
    ['2001:db8::1', 'JP'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', 'JP'],
    ['2001:db8:0:0:1:2:3:4', 'JP'],
    ['2001:db8:0:1::9', 'BR'],
    ['2001:db8::1:0:0:9', 'JP'],
    ['fe80::1%eth0', 'CH'],
    ['64:ff9b::192.0.2.33', 'NL'],
    ['::', 'AQ'],
    ['::1', 'AQ'],
    ['2001:db8:0:2::1', ''],
    ['2001:db8:::1', ''],
    ['2001:db8::1::2', ''],
    ['2001:db8:0:0:0:0:0:0:1', ''],
    ['2001:db8:0:0:0:0:1', ''],
    ['2001:db80000::1', ''],
    ['2001:db8::g', ''],
    ['2001:db8:', ''],
    ['1.2.3', ''],
    ['01.2.3.4', ''],
    ['1.2.3.256', ''],
  ])('%s → %s', (ip, country) => expect(t.lookup(ip)).toBe(country))
})

describe('IpCountries.read, in slices', () => {
  // 6,000 ranges of 256 addresses (about 250 KiB: several slices), CRLF line ends, each range its own country (AA to ZY: ZZ is the tables' unknown)
  const code = (i: number) => String.fromCharCode(65 + Math.floor((i % 675) / 26), 65 + ((i % 675) % 26))
  const at = (i: number, last: number) => `10.${i >> 8}.${i & 255}.${last}`
  const lines = Array.from({ length: 6000 }, (_, i) => `${at(i, 0)},${at(i, 255)},${code(i)}`)
  const file = (text: string) => {
    const path = join(tempDir(), 'countries.csv')
    writeFileSync(path, text)
    return path
  }

  it('reads every line across the slices, as parse does', async () => {
    const t = await IpCountries.read(file(`ip_start,ip_end,country\r\n${lines.join('\r\n')}\r\n`))
    expect(t.counts).toEqual({ v4: 6000, v6: 0 })
    const wrong = lines
      .map((_, i) => i)
      .filter((i) => t.lookup(at(i, 0)) !== code(i) || t.lookup(at(i, 255)) !== code(i))
    expect(wrong).toEqual([])
  })

  it('names the line of the file a bad range is on, past the first slice', async () => {
    const bad = [...lines.slice(0, 4999), '10.200.0.0 NZ', ...lines.slice(5000)].join('\n')
    const path = file(bad)
    await expect(IpCountries.read(path)).rejects.toThrow(`${path}, line 5000: expected DB-IP`)
    expect(() => IpCountries.parse(bad, path)).toThrow(`${path}, line 5000: expected DB-IP`)
  })
})
