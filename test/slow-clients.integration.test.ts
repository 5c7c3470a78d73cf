import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { type Keys, keysIn } from './helpers/collector'
import { basic, post } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * Slow clients (slowloris) against a real collector: one that trickles its headers and one that trickles its
 * body are answered 408 and cut off once their time is up, while ordinary requests go on being answered.
 * The timeouts are shortened (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS) so the
 * test takes seconds.
 */
const HEADERS_MS = 1000
const REQUEST_MS = 2000
const KEEP_ALIVE_MS = 4000
let collector: RunningCollector
let keys: Keys

beforeAll(async () => {
  let dir: string
  ;({ collector, dir } = await startTestCollector(undefined, {
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
  }))
  keys = keysIn(dir)
})

afterAll(async () => {
  await collector?.close()
})

/** Opens a raw connection, sends `head`, then `drip` every 200 ms until the server closes it. */
function trickle(head: string, drip: string): Promise<{ answer: string; closedAfterMs: number }> {
  const { port } = new URL(collector.url)
  return new Promise((resolve, reject) => {
    const started = Date.now()
    let answer = ''
    const socket: Socket = connect(Number(port), '127.0.0.1', () => socket.write(head))
    const timer = setInterval(() => socket.writable && socket.write(drip), 200)
    socket.on('data', (d) => (answer += d))
    socket.on('error', () => {}) // a write racing the close; the close below settles it
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ answer, closedAfterMs: Date.now() - started })
    })
    setTimeout(() => {
      clearInterval(timer)
      socket.destroy()
      reject(new Error(`still open after 15 s; answer so far: ${answer}`))
    }, 15_000)
  })
}

describe('slow clients', () => {
  it('cuts off a client that never finishes its headers, and one that trickles its body', async () => {
    const ordinary = (async () => {
      // requests keep being answered while the slow ones hang on
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) {
        const res = await post(
          `${collector.url}/v1/track`,
          { event: 'Fast', anonymousId: 'a-fast' },
          { authorization: basic(keys.writeKey) },
        )
        statuses.push(res.status)
        await new Promise((r) => setTimeout(r, 150))
      }
      return statuses
    })()
    const [headers, body] = await Promise.all([
      trickle('POST /v1/track HTTP/1.1\r\nHost: collector\r\n', 'X-Slow: 1\r\n'),
      trickle(
        `POST /v1/track HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\nContent-Length: 10000\r\nAuthorization: ${basic(keys.writeKey)}\r\n\r\n{`,
        ' ',
      ),
    ])
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408/)
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_MS - 100)
    expect(headers.closedAfterMs).toBeLessThan(HEADERS_MS + 2500)
    expect(body.answer).toMatch(/^HTTP\/1\.1 408/)
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_MS - 100)
    expect(body.closedAfterMs).toBeLessThan(REQUEST_MS + 2500)
    expect(await ordinary).toEqual(Array(10).fill(200))
  })

  it('keeps an idle connection open between requests for HTTP_KEEP_ALIVE_TIMEOUT_MS, past the request timeout', async () => {
    // what a load balancer does: a request, an idle spell longer than the request timeout, then the next request
    // on the same connection. Closed before the balancer's own idle timeout, the connection makes it answer 502
    const { port } = new URL(collector.url)
    const socket: Socket = connect(Number(port), '127.0.0.1')
    let answers = ''
    let closedAt = 0
    socket.on('data', (d) => (answers += d))
    socket.on('close', () => (closedAt = Date.now()))
    const get = 'GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n'
    socket.write(get)
    await new Promise((r) => setTimeout(r, REQUEST_MS + 1000))
    expect(closedAt).toBe(0)
    socket.write(get)
    const lastAnswer = Date.now()
    await new Promise((r) => setTimeout(r, 500))
    expect(answers.match(/HTTP\/1\.1 200/g)).toHaveLength(2)
    expect(answers).toMatch(new RegExp(`Keep-Alive: timeout=${KEEP_ALIVE_MS / 1000}`, 'i'))
    // and closed once idle for that long
    await new Promise((r) => setTimeout(r, KEEP_ALIVE_MS + 2000))
    expect(closedAt).toBeGreaterThan(lastAnswer + KEEP_ALIVE_MS - 500)
    socket.destroy()
  }, 20_000)
})
