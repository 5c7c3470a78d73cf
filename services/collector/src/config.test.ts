import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
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

describe('Kafka security: TLS and SASL', () => {
  const dir = tempDir()
  const pem = join(dir, 'ca.pem')
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
  const kafkaOf = (env: Record<string, string>) =>
    loadConfig({ TOUCHPOINT_DATA_DIR: dir, KAFKA_BROKERS: 'b1:9093', ...env }).kafka

  it('reads the files and the user, and turns TLS on with a file or KAFKA_SSL', () => {
    const kafka = kafkaOf({
      KAFKA_SSL_CA: pem,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'tp',
      KAFKA_SASL_PASSWORD: 's3cret',
    })
    expect(kafka?.ssl).toEqual({ ca: readFileSync(pem, 'utf8') })
    expect(kafka?.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'tp', password: 's3cret' })
    expect(kafkaOf({ KAFKA_SSL: 'true' })?.ssl).toBe(true)
    const plain = kafkaOf({})
    expect([plain?.ssl, plain?.sasl]).toEqual([undefined, undefined])
  })

  it('refuses what does not go together, or cannot be read, naming the variable', () => {
    for (const [env, message] of [
      [{ KAFKA_SSL_CA: join(dir, 'missing.pem') }, 'KAFKA_SSL_CA: cannot read'],
      [{ KAFKA_SSL_CA: join(dir) }, 'KAFKA_SSL_CA: cannot read'],
      [
        { KAFKA_SSL_CERT: pem },
        'KAFKA_SSL_KEY: is required with the other of KAFKA_SSL_CERT and KAFKA_SSL_KEY',
      ],
      [{ KAFKA_SSL: 'false', KAFKA_SSL_CA: pem }, 'KAFKA_SSL_CA: is set, and KAFKA_SSL=false turns TLS off'],
      [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL: true or false'],
      [{ KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM: plain, scram-sha-256 or scram-sha-512'],
      [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'tp' }, 'KAFKA_SASL_PASSWORD: is required'],
      [{ KAFKA_SASL_USERNAME: 'tp', KAFKA_SASL_PASSWORD: 'x' }, 'KAFKA_SASL_MECHANISM: is required'],
    ] as const)
      expect(() => kafkaOf(env), JSON.stringify(env)).toThrow(`environment variable ${message}`)
    const notPem = join(dir, 'key.der')
    writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]))
    expect(() => kafkaOf({ KAFKA_SSL_CA: notPem })).toThrow(`KAFKA_SSL_CA: ${notPem} holds no PEM block`)
  })
})
