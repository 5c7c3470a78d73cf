import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, cli, freePort, type Keys, keysIn, tempDir } from './helpers/collector'
import { basic, post } from './helpers/http'

/**
 * A real collector logging at trace level is sent keys in every place a client can put them, errors of
 * every kind, a rate-limit flood and a key rotation. Its whole output must hold no key and no client address
 * that is not anonymised. (Only the banner of a first start shows keys: the dev project's, once, on purpose.)
 */
let collector: CollectorProcess
let dataDir: string
let keys: Keys
const CLIENT = '203.0.113.77'

beforeAll(async () => {
  dataDir = tempDir('tp-logs-')
  collector = new CollectorProcess(dataDir, await freePort(), {
    LOG_LEVEL: 'trace',
    TRUST_PROXY: 'true',
    RATE_LIMIT_PER_IP: '5',
  })
  await collector.start()
  keys = keysIn(dataDir)
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

describe('the collector’s log', () => {
  it('holds no key and no raw client address, whatever the requests', async () => {
    const from = { 'x-forwarded-for': CLIENT }
    const url = (path: string) => `${collector.url}${path}`
    const event = { event: 'Logged', anonymousId: 'a-log' }
    const answers = [
      await post(url('/v1/track'), event, { authorization: basic(keys.writeKey), ...from }),
      await post(url('/v1/track'), { ...event, writeKey: keys.writeKey }, from),
      await post(
        url('/v1/track'),
        { ...event, context: { ip: CLIENT } },
        { authorization: basic(keys.secretKey) },
      ),
      await post(url('/v1/track'), event, { authorization: basic('tpw_not_a_key'), ...from }),
      await post(url('/v1/batch'), `{"writeKey":"${keys.writeKey}","batch":[`, from),
      await post(url('/api/sql'), { query: 'SELEC nonsense' }, { authorization: `Bearer ${keys.adminKey}` }),
      await post(
        url('/api/sql'),
        { query: 'DROP TABLE events' },
        { authorization: `Bearer ${keys.adminKey}` },
      ),
      await post(url('/api/sql'), { query: 'SELECT 1' }, { authorization: `Bearer ${keys.writeKey}` }),
    ]
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 400, 400, 400, 401])
    // a flood from one address: refused, and logged once, anonymised
    for (let i = 0; i < 10; i++)
      await post(url('/v1/track'), event, { authorization: basic(keys.writeKey), ...from })
    const rotated = JSON.parse(
      await cli(['keys', 'rotate', '--kind', 'write', '--json'], { TOUCHPOINT_DATA_DIR: dataDir }),
    )
    const deadline = Date.now() + 10_000
    while (!collector.output.includes('projects and keys reloaded') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100))

    // the log is pino's JSON lines; the banner of a first start prints the new dev keys on purpose
    const log = collector.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .join('\n')
    expect(log).toContain('projects and keys reloaded')
    expect(log).toContain('"msg":"rate limited"')
    expect(log).toContain('203.0.113.0')
    expect(log).not.toContain(CLIENT)
    const basicOf = (k: string) => basic(k).slice(6)
    for (const secret of [keys.writeKey, keys.secretKey, keys.adminKey, rotated.key as string])
      for (const form of [secret, basicOf(secret)]) expect(log).not.toContain(form)
  })
})
