import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { basic, CHROME_UA, eventually, post, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * A collector behind load balancers, as TRUST_PROXY tells it: each proxy appends the address it heard from to
 * X-Forwarded-For, after whatever the client put there itself. The visitor is the address the last trusted proxy
 * heard, so a client that writes addresses of its own into the header neither escapes its rate limit nor is
 * stored as someone else. The test's requests come from 127.0.0.1, standing for the proxy in front.
 */
const ADMIN = 'admin-key-behind-a-proxy-01'
const SHOP = { id: 'shop', writeKey: 'tpw_shop_proxy', secretKey: 'tps_shop_proxy_0123456789' }
const PER_IP = 5

let collector: RunningCollector

afterAll(async () => collector?.close())

const page = (messageId: string, forwardedFor: string) =>
  post(
    `${collector.url}/v1/page`,
    { anonymousId: messageId, messageId, properties: { url: 'https://shop.example/' } },
    { authorization: basic(SHOP.writeKey), 'user-agent': CHROME_UA, 'x-forwarded-for': forwardedFor },
  )

const storedAddress = async (messageId: string) => {
  const [row] = await eventually(
    () =>
      sql<{ ip: string }>(collector.url, ADMIN, 'SELECT ip FROM events WHERE message_id = {id:String}', {
        id: messageId,
      }),
    (rows) => rows.length === 1,
  )
  return row!.ip
}

describe('TRUST_PROXY as the proxies in front (addresses and ranges)', () => {
  beforeAll(async () => {
    ;({ collector } = await startTestCollector(
      { adminKey: ADMIN, projects: [SHOP] },
      { TRUST_PROXY: 'loopback, 10.0.0.0/8', RATE_LIMIT_PER_IP: String(PER_IP) },
    ))
  })

  it('takes the address the last trusted proxy heard, whatever the client wrote before it', async () => {
    // the client wrote 6.6.6.6; a CDN at 10.1.2.3 heard it from 203.0.113.9 and the load balancer from the CDN
    expect((await page('cdn', '6.6.6.6, 203.0.113.9, 10.1.2.3')).status).toBe(200)
    // a request straight to the load balancer: the address it heard is the client's
    expect((await page('direct', '198.51.100.20')).status).toBe(200)
    expect(await storedAddress('cdn')).toBe('203.0.113.0')
    expect(await storedAddress('direct')).toBe('198.51.100.0')
  })

  it('limits a client by its own address, however many it writes into the header', async () => {
    const statuses = []
    for (let i = 0; i < PER_IP + 2; i++)
      statuses.push((await page(`spoof-${i}`, `192.0.2.${i + 1}, 203.0.113.50`)).status)
    expect(statuses).toEqual([...Array(PER_IP).fill(200), 429, 429])
    // another visitor behind the same proxies is not held back by it
    expect((await page('neighbour', '203.0.113.51')).status).toBe(200)
    await storedAddress('neighbour')
    const [row] = await sql<{ n: number; ips: string[] }>(
      collector.url,
      ADMIN,
      "SELECT count() AS n, groupUniqArray(ip) AS ips FROM events WHERE startsWith(message_id, 'spoof-')",
    )
    expect(row).toEqual({ n: PER_IP, ips: ['203.0.113.0'] })
  })
})

describe('TRUST_PROXY as how many proxies are in front', () => {
  beforeAll(async () => {
    await collector?.close()
    ;({ collector } = await startTestCollector({ adminKey: ADMIN, projects: [SHOP] }, { TRUST_PROXY: '1' }))
  })

  it('takes the address the one load balancer heard, not one the client wrote', async () => {
    expect((await page('one-hop', '6.6.6.6, 203.0.113.9')).status).toBe(200)
    expect(await storedAddress('one-hop')).toBe('203.0.113.0')
  })

  it("reads the address of a proxy that writes the client's port beside it (Azure's Application Gateway)", async () => {
    expect((await page('with-port', '6.6.6.6, 203.0.113.9:4711')).status).toBe(200)
    expect((await page('with-port-6', '[2001:db8:7::5]:4711')).status).toBe(200)
    expect(await storedAddress('with-port')).toBe('203.0.113.0')
    expect(await storedAddress('with-port-6')).toBe('2001:db8:7::')
  })
})
