import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { basic, eventually, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * Rate limits against a real collector: per client address and per project key, 429 with Retry-After, and a
 * client that honours it still delivers everything once. TRUST_PROXY lets the test speak from many addresses
 * (X-Forwarded-For), as a collector behind a load balancer hears them.
 */
const ADMIN = 'admin-key-rate-limits-0001'
const project = (id: string) => ({
  id,
  writeKey: `tpw_${id}_write`,
  secretKey: `tps_${id}_secret_key_0001`,
})
const [byAddress, byKey, bySdk] = [project('by-address'), project('by-key'), project('by-sdk')]
const PER_IP = 20
const PER_KEY = 50
const WINDOW_MS = 5000

let collector: RunningCollector

beforeAll(async () => {
  ;({ collector } = await startTestCollector(
    { adminKey: ADMIN, projects: [byAddress, byKey, bySdk] },
    {
      RATE_LIMIT_PER_IP: String(PER_IP),
      RATE_LIMIT_PER_KEY: String(PER_KEY),
      RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
      TRUST_PROXY: 'true',
    },
  ))
})

afterAll(async () => {
  await collector?.close()
})

const track = (key: string, from: string, messageId: string) =>
  post(
    `${collector.url}/v1/track`,
    { event: 'Limited', anonymousId: 'a-1', messageId },
    { authorization: basic(key), 'x-forwarded-for': from },
  )

const stored = async (prefix: string) => {
  const [row] = await sql<{ n: number; ids: number }>(
    collector.url,
    ADMIN,
    `SELECT count() AS n, uniqExact(message_id) AS ids FROM events WHERE startsWith(message_id, {p:String})`,
    { p: prefix },
  )
  return row!
}

describe('rate limits', () => {
  it('refuses an address past its limit with 429 and Retry-After, lets others through, and stores only what it accepted', async () => {
    const answers = []
    for (let i = 0; i < PER_IP + 5; i++)
      answers.push(await track(byAddress.writeKey, '203.0.113.7', `ip-${i}`))
    expect(answers.slice(0, PER_IP).map((a) => a.status)).toEqual(Array(PER_IP).fill(200))
    const refused = answers.slice(PER_IP)
    expect(refused.map((a) => a.status)).toEqual(Array(5).fill(429))
    expect(refused[0]!.body).toMatchObject({
      statusCode: 429,
      code: 'TP_ERR_RATE_LIMITED',
      message: expect.stringContaining('from this address'),
    })
    const retryAfter = Number(refused[0]!.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000)

    // another address, the health probe, the email pixel (a proxy fetching for many readers) and a
    // secret-key call from the limited address all pass
    expect((await track(byAddress.writeKey, '203.0.113.8', 'ip-other')).status).toBe(200)
    const from = { headers: { 'x-forwarded-for': '203.0.113.7' } }
    expect((await fetch(`${collector.url}/healthz`, from)).status).toBe(200)
    const pixel = await fetch(`${collector.url}/e/o/${byAddress.id}/not-a-token.gif`, from)
    expect(pixel.status).not.toBe(429)
    expect((await track(byAddress.secretKey, '203.0.113.7', 'ip-server')).status).toBe(200)
    // one IPv6 host cannot rotate past the limit: its /64 counts as one address
    const v6 = []
    for (let i = 0; i < PER_IP + 1; i++)
      v6.push((await track(byAddress.writeKey, `2001:db8:1:2::${(i + 1).toString(16)}`, `ip-v6-${i}`)).status)
    expect(v6.at(-1)).toBe(429)

    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100))
    expect((await track(byAddress.writeKey, '203.0.113.7', 'ip-after')).status).toBe(200)
    // 20 + the other address + the server call + 20 from the /64 + one after the wait; none of the refused
    const expected = PER_IP + 1 + 1 + PER_IP + 1
    expect(
      await eventually(
        () => stored('ip-'),
        (r) => r.n >= expected,
      ),
    ).toEqual({
      n: expected,
      ids: expected,
    })
  })

  it('limits one key across all its addresses, each of them under its own limit', async () => {
    const statuses: number[] = []
    const bodies: Array<{ message?: string }> = []
    // 6 addresses × 10 requests: no address reaches 20, the key passes 50
    await Promise.all(
      Array.from({ length: 6 }, async (_, a) => {
        for (let i = 0; i < 10; i++) {
          const res = await track(byKey.writeKey, `198.51.100.${a + 1}`, `key-${a}-${i}`)
          statuses.push(res.status)
          if (res.status === 429) bodies.push(res.body)
        }
      }),
    )
    expect(statuses.filter((s) => s === 200)).toHaveLength(PER_KEY)
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - PER_KEY)
    for (const b of bodies) expect(b.message).toContain('for this key')
    expect(
      await eventually(
        () => stored('key-'),
        (r) => r.n >= PER_KEY,
      ),
    ).toEqual({
      n: PER_KEY,
      ids: PER_KEY,
    })
  })

  it('a client that honours Retry-After delivers every call once through the limit', async () => {
    const drops: string[] = []
    const client = new Touchpoint({
      secretKey: bySdk.secretKey,
      host: collector.url,
      flushAt: 1,
      maxBatchEvents: 1,
      onDrop: (_m, reason) => drops.push(reason),
    })
    const calls = PER_KEY + 25
    for (let i = 0; i < calls; i++) client.track({ event: 'Limited', userId: 'u-1', messageId: `sdk-${i}` })
    await client.close()
    expect(drops).toEqual([])
    expect(
      await eventually(
        () => stored('sdk-'),
        (r) => r.n >= calls,
      ),
    ).toEqual({ n: calls, ids: calls })
  }, 60_000)
})
