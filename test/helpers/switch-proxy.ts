import { createServer, request, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * An HTTP pass-through to a collector that can be taken down (connections refused) and brought back on the same
 * port: what a browser sees when the collector is down.
 */
export async function switchProxy(target: string) {
  const sockets = new Set<Socket>()
  let server: Server
  let port = 0
  /** how many of the next requests the proxy answers itself, and with what status */
  let refusing = { count: 0, status: 0 }
  const listen = async () => {
    server = createServer((req, res) => {
      if (refusing.count > 0) {
        refusing.count--
        // readable by the page, as an answer from a proxy on the site's own origin is
        res.writeHead(refusing.status, { 'access-control-allow-origin': '*', connection: 'close' }).end()
        return
      }
      const upstream = request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      upstream.on('error', () => res.writeHead(502).end())
      req.pipe(upstream)
    })
    server.on('connection', (s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  }
  await listen()
  return {
    url: `http://127.0.0.1:${port}`,
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
    up: listen,
    /** Answers the next `count` requests with `status` itself (a proxy's 408 after a slow upload, say). */
    answer: (status: number, count: number) => {
      refusing = { count, status }
    },
    /** How many of those answers are still to be given. */
    unanswered: () => refusing.count,
  }
}
