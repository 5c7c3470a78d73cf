import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/collector'
import { loadConfig } from './config'

const trustProxyOf = (value: string) =>
  loadConfig({ TOUCHPOINT_DATA_DIR: tempDir(), TRUST_PROXY: value }).trustProxy

describe('TRUST_PROXY', () => {
  it('reads yes or no, a count of proxies, or their addresses and ranges', () => {
    expect(trustProxyOf('false')).toBe(false)
    expect(trustProxyOf('0')).toBe(false)
    expect(trustProxyOf('true')).toBe(true)
    expect(trustProxyOf('2')).toBe(2)
    expect(trustProxyOf(' 10.0.0.0/8, 2001:db8::/32,loopback ,192.0.2.7')).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      'loopback',
      '192.0.2.7',
    ])
  })

  it('refuses what is neither, naming the variable and the entry', () => {
    for (const [value, entry] of [
      ['10.0.0.0/33', '10.0.0.0/33'],
      ['::1/129', '::1/129'],
      ['10.0.0.0/8, lb.internal', 'lb.internal'],
      ['10.0.0.0/8/8', '10.0.0.0/8/8'],
      ['on', 'on'],
    ])
      expect(() => trustProxyOf(value!)).toThrow(
        `environment variable TRUST_PROXY: "${entry}" is not an address`,
      )
  })
})
