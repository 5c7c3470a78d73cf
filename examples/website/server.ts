import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { tag } from './snippet'

export interface SiteOptions {
  port?: number
  host?: string
  /** The collector's public origin (where tp.js and /v1/batch are). */
  collector: string
  /** The project's write key, or where to read it when each page is served (a key that rotates). */
  writeKey: string | (() => string)
  /** Extra data- attributes for the script tag, e.g. { consent: 'required' }. */
  tagAttributes?: Record<string, string>
  /** Where the product page's "reviews elsewhere" link goes. */
  outboundUrl?: string
  /** Pages made on each request, by path (the dev server's /email: email-demo.ts), given the shop's address. */
  pages?: Record<string, (shop: string) => Promise<string>>
}

export interface RunningSite {
  url: string
  server: Server
  close(): Promise<void>
}

const PUBLIC = join(import.meta.dirname, 'public')
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.pdf': 'application/pdf',
  '.svg': 'image/svg+xml',
}

/**
 * The example shop: static pages with the Touchpoint tag filled in. /app/* is a single-page section (every path
 * serves app.html, which routes with pushState).
 */
export async function serveSite(options: SiteOptions): Promise<RunningSite> {
  const { writeKey } = options
  const head = () =>
    tag(options.collector, typeof writeKey === 'string' ? writeKey : writeKey(), options.tagAttributes)
  let url = ''
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const made = options.pages?.[path]
    if (made) {
      // the shop's own address, not the request's Host header: a page may sign links to it
      const body = await made(url)
      return res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }).end(body)
    }
    const file =
      path === '/'
        ? 'index.html'
        : path.startsWith('/app')
          ? 'app.html'
          : normalize(path).replace(/^[/\\]+/, '')
    if (file.includes('..')) return res.writeHead(400).end()
    try {
      let body: string | Buffer = await readFile(join(PUBLIC, file))
      const type = TYPES[extname(file)] ?? 'application/octet-stream'
      if (type.startsWith('text/html'))
        body = body
          .toString()
          .replace('<!-- touchpoint -->', head())
          .replaceAll('{{OUTBOUND}}', options.outboundUrl ?? 'https://www.example.org/reviews/trail-jacket')
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(body)
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`
  return {
    url,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
