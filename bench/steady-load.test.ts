import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { steadyLoad } from './steady-load'

/** A server that answers 200 with a small JSON body, records when each request arrived, and can hold answers. */
async function server(hold: (arrivedMs: number) => number = () => 0) {
  const arrivals: number[] = []
  let t0 = 0
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      const at = performance.now() - t0
      arrivals.push(at)
      const answer = () =>
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"ok":true}')
      const wait = hold(at)
      if (wait > 0) setTimeout(answer, wait)
      else answer()
    })
  })
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res))
  servers.push(srv)
  const { port } = srv.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1/track`,
    arrivals,
    start: () => {
      t0 = performance.now()
    },
  }
}
const servers: ReturnType<typeof createServer>[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

const request = (url: string) => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"type":"track","event":"x"}',
})

describe('steadyLoad', () => {
  it('sends rate × seconds requests spread evenly over the run, not in bursts', async () => {
    const s = await server()
    s.start()
    const r = await steadyLoad(request(s.url), { rate: 400, seconds: 2, connections: 20 })
    expect(r).toMatchObject({ sent: 800, ok: 800, errors: 0 })
    expect(s.arrivals).toHaveLength(800)
    // every 250 ms of the run gets its share (100), where a per-second quota sent back to back would put
    // nearly all of a second's requests in its first window
    const windows = [0, 0, 0, 0, 0, 0, 0, 0]
    for (const at of s.arrivals) windows[Math.min(7, Math.floor(at / 250))]!++
    for (const n of windows) expect(n).toBeGreaterThan(70)
    // nothing stalled, so no request is counted late: the median is a local round trip, and the tail stays below
    // the stall the next test makes (over 150 ms). The suite's other files share the two cores: a fresh-clone CI
    // run read this p99 at 85 ms once, where three runs on their own read 1.5-1.8 ms
    expect(r.p50Ms).toBeLessThan(50)
    expect(r.p99Ms).toBeLessThan(150)
  })

  it("counts a stall's latency for every request scheduled during it, not only those in flight", async () => {
    // the server holds every answer to a request arriving in 300 ms of the run, as a stalled collector would
    const s = await server((at) => (at >= 500 && at < 800 ? 800 - at : 0))
    s.start()
    const r = await steadyLoad(request(s.url), { rate: 1000, seconds: 2, connections: 10 })
    expect(r).toMatchObject({ sent: 2000, ok: 2000, errors: 0 })
    // the 10 connections fill within 10 ms of the stall; the ~300 requests due during it wait for them, so more
    // than 1% of all requests are late by 100 ms or more. Measured from when each left, only the 10 would be.
    expect(r.p99Ms).toBeGreaterThan(150)
    expect(r.p50Ms).toBeLessThan(50)
    // the stall is in the first second's requests only
    expect(r.p99BySecondMs).toHaveLength(2)
    expect(r.p99BySecondMs[0]).toBeGreaterThan(150)
    expect(r.p99BySecondMs[1]).toBeLessThan(50)
  })

  it('counts a request whose connection closes unanswered as an error, and carries on', async () => {
    let n = 0
    const srv = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (++n === 5) req.socket.destroy()
        else res.writeHead(200, { 'content-length': '2' }).end('{}')
      })
    })
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res))
    servers.push(srv)
    const { port } = srv.address() as AddressInfo
    const r = await steadyLoad(request(`http://127.0.0.1:${port}/`), {
      rate: 200,
      seconds: 1,
      connections: 4,
    })
    expect(r.sent).toBe(200)
    expect(r.ok).toBe(199)
    expect(r.errors).toBe(1)
  })
})
