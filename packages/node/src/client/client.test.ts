import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { TouchpointValidationError, toWire } from './messages'
import { Touchpoint } from './touchpoint'

/** A scripted collector: each request is answered by the next handler (the last one repeats). */
async function scripted(
  ...handlers: Array<
    (body: { batch: Array<Record<string, unknown>> }, res: ServerResponse, req: IncomingMessage) => void
  >
) {
  const requests: Array<{
    at: number
    body: { batch: Array<Record<string, unknown>>; sentAt: string }
    headers: IncomingMessage['headers']
  }> = []
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (d) => (text += d))
    req.on('end', () => {
      const body = JSON.parse(text)
      requests.push({ at: Date.now(), body, headers: req.headers })
      const h = handlers[Math.min(requests.length - 1, handlers.length - 1)]!
      h(body, res, req)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  return { host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

const ok = (_b: unknown, res: ServerResponse) => res.end(JSON.stringify({ success: true, rejected: [] }))
const status =
  (code: number, headers: Record<string, string> = {}) =>
  (_b: unknown, res: ServerResponse) => {
    res.writeHead(code, headers)
    res.end(JSON.stringify({ code: 'TP_ERR_X', message: 'no' }))
  }

const fast = { retryMinDelay: 10, retryMaxDelay: 40 }

/** An address where nothing listens. */
async function closedPort(): Promise<string> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return `http://127.0.0.1:${port}`
}

describe('Touchpoint client', () => {
  it('batches at flushAt and sends each call with a messageId, a timestamp and the library', async () => {
    const c = await scripted(ok)
    const tp = new Touchpoint({ writeKey: 'wk', host: c.host, flushAt: 3, flushInterval: 60_000 })
    for (let i = 0; i < 3; i++) tp.track({ userId: 'u', event: 'E', properties: { i } })
    await tp.flush()
    expect(c.requests).toHaveLength(1)
    const [req] = c.requests
    expect(req!.headers.authorization).toBe(`Basic ${Buffer.from('wk:').toString('base64')}`)
    expect(req!.body.batch.map((e) => e.properties)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }])
    for (const e of req!.body.batch) {
      expect(e).toMatchObject({
        type: 'track',
        event: 'E',
        userId: 'u',
        context: { library: { name: '@touchpoint/node' } },
      })
      expect(e.messageId).toMatch(/^[0-9a-f-]{36}$/)
      expect(Number.isNaN(Date.parse(e.timestamp as string))).toBe(false)
    }
    expect(Number.isNaN(Date.parse(req!.body.sentAt))).toBe(false)
  })

  it('sends a partial batch after flushInterval', async () => {
    const c = await scripted(ok)
    const tp = new Touchpoint({ writeKey: 'wk', host: c.host, flushAt: 100, flushInterval: 30 })
    tp.identify({ userId: 'u', traits: { plan: 'pro' } })
    await new Promise((r) => setTimeout(r, 300))
    expect(c.requests).toHaveLength(1)
    expect(tp.pending).toBe(0)
  })

  it('retries 5xx and network errors with the same messageIds, and honours Retry-After on 429', async () => {
    const c = await scripted(status(503), status(429, { 'retry-after': '1' }), ok)
    const tp = new Touchpoint({ writeKey: 'wk', host: c.host, ...fast })
    tp.track({ userId: 'u', event: 'E' })
    const stats = await tp.close()
    expect(stats).toMatchObject({ delivered: 1, retries: 2, dropped: 0 })
    const ids = c.requests.map((r) => r.body.batch[0]!.messageId)
    expect(new Set(ids).size).toBe(1)
    // after the 429 it waited the second Retry-After asked for, not its own 10–40 ms
    expect(c.requests[2]!.at - c.requests[1]!.at).toBeGreaterThanOrEqual(950)
  })

  it('drops through onDrop, with the reason, when the collector refuses the request or retries run out', async () => {
    const c = await scripted(status(401))
    const drops: string[] = []
    const tp = new Touchpoint({
      writeKey: 'bad',
      host: c.host,
      onDrop: (m, why) => drops.push(`${m.length} ${why}`),
    })
    tp.track({ userId: 'u', event: 'E' })
    await tp.flush()
    expect(drops).toEqual(['1 HTTP 401: TP_ERR_X (no)'])
    expect(c.requests).toHaveLength(1)

    const down = new Touchpoint({
      writeKey: 'wk',
      host: await closedPort(),
      maxRetries: 2,
      ...fast,
      onDrop: (m, why) => drops.push(`${m.length} ${why}`),
    })
    down.track({ userId: 'u', event: 'E' })
    expect((await down.close()).dropped).toBe(1)
    expect(drops[1]).toMatch(/^1 gave up after 3 attempts: fetch failed \(ECONNREFUSED\)$/)
  })

  it('bounds its queue, telling onDrop what did not fit', async () => {
    const drops: Array<[number, string]> = []
    const tp = new Touchpoint({
      writeKey: 'wk',
      host: await closedPort(),
      maxQueueSize: 5,
      flushAt: 1000,
      maxRetries: 0,
      onDrop: (m, why) => drops.push([m.length, why]),
    })
    for (let i = 0; i < 7; i++) tp.track({ userId: 'u', event: 'E' })
    expect(tp.stats.queued).toBe(5)
    expect(drops).toEqual([
      [1, 'the queue is full (maxQueueSize 5)'],
      [1, 'the queue is full (maxQueueSize 5)'],
    ])
    await tp.close()
  })

  it('flush() waits for batches already in flight, and close() refuses calls made after it', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const c = await scripted((b, res) => void gate.then(() => ok(b, res)))
    const drops: string[] = []
    const tp = new Touchpoint({
      writeKey: 'wk',
      host: c.host,
      flushAt: 1,
      onDrop: (_m, why) => drops.push(why),
    })
    tp.track({ userId: 'u', event: 'E' })
    let flushed = false
    const f = tp.flush().then(() => (flushed = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(flushed).toBe(false)
    release()
    await f
    expect(tp.stats.delivered).toBe(1)
    await tp.close()
    tp.track({ userId: 'u', event: 'late' })
    expect(drops).toEqual(['the client is closed'])
  })

  it('reports calls the collector refused through onRejected', async () => {
    const c = await scripted((_b, res) =>
      res.end(
        JSON.stringify({
          success: true,
          accepted: 1,
          rejected: [{ index: 1, issues: [{ path: 'event', message: 'bad' }] }],
        }),
      ),
    )
    const seen: unknown[] = []
    const tp = new Touchpoint({ writeKey: 'wk', host: c.host, onRejected: (r) => seen.push(...r) })
    tp.track({ userId: 'u', event: 'A' })
    tp.track({ userId: 'u', event: 'B' })
    const stats = await tp.close()
    expect(stats).toMatchObject({ delivered: 1, rejected: 1 })
    expect(seen).toEqual([
      { message: expect.objectContaining({ event: 'B' }), issues: [{ path: 'event', message: 'bad' }] },
    ])
  })

  it('goes on delivering when a callback of the user throws', async () => {
    const c = await scripted((_b, res) =>
      res.end(
        JSON.stringify({
          success: true,
          rejected: [{ index: 0, issues: [{ path: 'event', message: 'bad' }] }],
        }),
      ),
    )
    const tp = new Touchpoint({
      writeKey: 'wk',
      host: c.host,
      flushAt: 1,
      onRejected: () => {
        throw new Error('callback bug')
      },
    })
    tp.track({ userId: 'u', event: 'A' })
    tp.track({ userId: 'u', event: 'B' })
    expect(await tp.close()).toMatchObject({ queued: 2, rejected: 2 })
    expect(c.requests).toHaveLength(2)
  })

  it('sends a string timestamp as the collector reads it: UTC when it names no zone, in any zone', () => {
    const zone = process.env.TZ
    process.env.TZ = 'Europe/Berlin'
    try {
      expect(toWire('track', { userId: 'u', event: 'E', timestamp: '2026-11-03 18:40' }).timestamp).toBe(
        '2026-11-03T18:40:00.000Z',
      )
      expect(
        toWire('track', { userId: 'u', event: 'E', timestamp: '2026-11-03T18:40:00+0100' }).timestamp,
      ).toBe('2026-11-03T17:40:00.000Z')
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it('refuses calls it could never deliver, where they are made', () => {
    const tp = new Touchpoint({ writeKey: 'wk', host: 'http://127.0.0.1:1' })
    expect(() => tp.track({ event: 'E' } as never)).toThrow(TouchpointValidationError)
    expect(() => tp.track({ userId: 'u', event: 'E', timestamp: 'not a date' })).toThrow(/timestamp/)
    // a US-looking date is March 11th to JavaScript and November 3rd to most of the world: refused, not guessed
    expect(() => tp.track({ userId: 'u', event: 'E', timestamp: '03/11/2026' })).toThrow(
      'track: timestamp is not an ISO-8601 date-time, such as 2026-11-03T18:40:00Z (one without a zone is UTC)',
    )
    expect(() => tp.track({ userId: 'u', event: 'E', properties: { blob: 'x'.repeat(40_000) } })).toThrow(
      /over the collector's 32768-byte limit/,
    )
    expect(() =>
      tp.orderCompleted({
        userId: 'u',
        properties: { orderId: 'A', revenue: 5, currency: 'euro', channel: 'web' },
      }),
    ).toThrow(/properties.currency: must be a 3-letter ISO 4217 code/)
    expect(() => new Touchpoint({ writeKey: 'wk', source: 'import' })).toThrow(/secret key/)
    expect(tp.stats.queued).toBe(0)
  })
})
