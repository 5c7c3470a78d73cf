import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

/** One request, sent the same way every time. */
export interface SteadyRequest {
  url: string
  method: string
  headers: Record<string, string>
  body?: string
}

export interface SteadyResult {
  /** requests written to a connection; those unanswered at the end may still be stored */
  sent: number
  /** answered 2xx */
  ok: number
  /** answered otherwise, or never answered (a closed connection, or still open at the end) */
  errors: number
  /** from each request's time in the schedule to its answer, so waiting for a free connection counts */
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** p99 of the requests scheduled in each second of the run: a queue that stands rises; a stall is one peak */
  p99BySecondMs: number[]
}

/** How long the answers still out when the schedule ends may take before they count as errors. */
const DRAIN_MS = 10_000

/**
 * An open-loop load: `rate` requests a second for `seconds`, each sent at its time in an even schedule (or as soon
 * as one of `connections` keep-alive connections is free), its latency counted from that time, as wrk2 does.
 * autocannon's `overallRate` is not that: it gives each connection a quota per second, which the connection
 * sends back to back as fast as answers come and then waits for the next second, so a run at 80% of the peak is
 * a run at the peak for most of every second and idle for the rest (docs/performance.md, "The 80% run").
 * Raw sockets keep the driver's own CPU per request small; one request is in flight per connection.
 */
export async function steadyLoad(
  request: SteadyRequest,
  opts: { rate: number; seconds: number; connections: number },
): Promise<SteadyResult> {
  const url = new URL(request.url)
  const body = Buffer.from(request.body ?? '')
  const head = [
    `${request.method} ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${body.length}`,
    '',
    '',
  ].join('\r\n')
  const wire = Buffer.concat([Buffer.from(head, 'latin1'), body])
  const total = Math.round(opts.rate * opts.seconds)
  const msPerRequest = 1000 / opts.rate
  const latency = new Float64Array(total).fill(Number.NaN)
  /** requests whose time has come, and of those, the next to send: requests leave in the schedule's order */
  let scheduled = 0
  let next = 0
  let sent = 0
  let ok = 0
  let failed = 0
  let start = 0
  let stopping = false
  let settle: () => void = () => {}
  const settled = new Promise<void>((res) => {
    settle = res
  })

  interface Connection {
    socket: Socket
    /** the request in flight, or -1 */
    index: number
    buffered: Buffer | null
  }
  const free: Connection[] = []
  const sockets = new Set<Socket>()
  const done = () => ok + failed === total
  const finish = (conn: Connection, status: number) => {
    latency[conn.index] = performance.now() - start - conn.index * msPerRequest
    if (status >= 200 && status < 300) ok++
    else failed++
    conn.index = -1
    if (done()) settle()
    else send(conn)
  }
  const send = (conn: Connection) => {
    if (next === scheduled) {
      free.push(conn)
      return
    }
    conn.index = next++
    sent++
    conn.socket.write(wire)
  }
  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true })
      const conn: Connection = { socket, index: -1, buffered: null }
      sockets.add(socket)
      socket.once('connect', () => resolve(conn))
      // an error closes the socket too, which counts its request
      socket.on('error', reject)
      socket.on('data', (chunk: Buffer) => {
        if (conn.index < 0) return
        const buf = conn.buffered ? Buffer.concat([conn.buffered, chunk]) : chunk
        const headEnd = buf.indexOf('\r\n\r\n')
        if (headEnd < 0) {
          conn.buffered = buf
          return
        }
        const length = contentLength(buf.toString('latin1', 0, headEnd))
        // an answer this driver cannot delimit fails its request, and the connection with it
        if (length < 0) return socket.destroy()
        if (buf.length < headEnd + 4 + length) {
          conn.buffered = buf
          return
        }
        conn.buffered = null
        finish(conn, Number(buf.toString('latin1', 9, 12)))
      })
      socket.on('close', () => {
        if (conn.index >= 0) {
          // its answer will not come: count it, and carry on over a new connection
          conn.index = -1
          failed++
          if (done()) settle()
        }
        sockets.delete(socket)
        const at = free.indexOf(conn)
        if (at >= 0) free.splice(at, 1)
        if (!stopping) open().then(send, () => {})
      })
    })

  const connections = await Promise.all(Array.from({ length: opts.connections }, open))
  free.push(...connections)
  start = performance.now()
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / msPerRequest) + 1)
      scheduled = Math.max(scheduled, due)
      while (free.length > 0 && next < scheduled) send(free.pop()!)
      if (scheduled < total) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  const timeout = new Promise<void>((res) => setTimeout(res, DRAIN_MS).unref())
  if (!done()) await Promise.race([settled, timeout])
  stopping = true
  for (const socket of sockets) socket.destroy()

  const all = quantile(latency)
  const seconds = Math.ceil(total / opts.rate)
  return {
    sent,
    ok,
    errors: total - ok,
    p50Ms: all(0.5),
    p99Ms: all(0.99),
    maxMs: all(1),
    p99BySecondMs: Array.from({ length: seconds }, (_, k) =>
      quantile(latency.subarray(Math.round(k * opts.rate), Math.round((k + 1) * opts.rate)))(0.99),
    ),
  }
}

/** Quantiles of the answered requests' latencies (NaN: unanswered). */
function quantile(latency: Float64Array): (q: number) => number {
  const answered = latency.filter((l) => !Number.isNaN(l)).sort()
  return (q) => round(answered[Math.max(0, Math.ceil(q * answered.length) - 1)] ?? Number.NaN)
}

const round = (ms: number) => Math.round(ms * 10) / 10

/** An answer's body length from its head, or -1 without one (the collector's answers all carry one). */
function contentLength(head: string): number {
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  return m ? Number(m[1]) : -1
}
