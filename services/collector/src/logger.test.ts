import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './logger'

/** What the collector's logger writes, line by line. */
function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).trim().split('\n'))
      done()
    },
  })
  return { logger: createLogger('trace', stream), lines }
}

describe('createLogger', () => {
  it('censors keys wherever a log call puts them', () => {
    const { logger, lines } = capture()
    logger.info({ writeKey: 'tpw_w1', body: { writeKey: 'tpw_w2', event: 'x' } }, 'one')
    logger.warn(
      { project: { secretKey: 'tps_s1', previousSecretKeys: ['tps_s0'] }, adminKey: 'tpa_a1' },
      'two',
    )
    logger.error({ headers: { authorization: 'Basic dHB3X3czOg==', cookie: 'tp_aid=1' } }, 'three')
    logger.info({ email: { recipientSecret: 'tpr_r1' }, keys: { secret: 'tpe_e1' } }, 'four')
    const out = lines.join('\n')
    for (const secret of [
      'tpw_w1',
      'tpw_w2',
      'tps_s1',
      'tps_s0',
      'tpa_a1',
      'dHB3X3czOg',
      'tp_aid',
      'tpr_r1',
      'tpe_e1',
    ])
      expect(out).not.toContain(secret)
    expect(lines).toHaveLength(4)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      writeKey: '[redacted]',
      body: { writeKey: '[redacted]', event: 'x' },
    })
  })

  it('logs a request as method, path and anonymised address: no headers, no query string', () => {
    const { logger, lines } = capture()
    const req = {
      method: 'GET',
      url: '/e/c/token?writeKey=tpw_q1',
      ip: '203.0.113.77',
      headers: { authorization: 'Bearer tpa_a2' },
    }
    logger.info({ req }, 'request')
    expect(JSON.parse(lines[0]!).req).toEqual({ method: 'GET', path: '/e/c/token', address: '203.0.113.0' })
  })
})
