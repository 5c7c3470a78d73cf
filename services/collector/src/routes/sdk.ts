import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { gzipSync } from 'node:zlib'
import type { FastifyPluginAsync } from 'fastify'
import { TpError } from '../errors'

interface Bundle {
  raw: Buffer
  gzip: Buffer
  etag: string
}

let bundle: Bundle | undefined

/** tp.js from @touchpoint/browser's build, read once and gzipped once (-9, as its size budget is measured). */
function load(): Bundle | undefined {
  if (bundle) return bundle
  let raw: Buffer
  try {
    raw = readFileSync(createRequire(import.meta.url).resolve('@touchpoint/browser/tp.js'))
  } catch {
    return undefined
  }
  const etag = `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`
  bundle = { raw, gzip: gzipSync(raw, { level: 9 }), etag }
  return bundle
}

/**
 * GET /tp.js: the browser SDK for `<script defer src="https://collect.example.com/tp.js" data-key="…">`.
 * A stable path, so a day's cache with an ETag to revalidate (a deploy reaches every site within a day), any
 * origin may load it, and gzip when the browser accepts it.
 */
export const sdkRoutes: FastifyPluginAsync = async (app) => {
  app.get('/tp.js', async (req, reply) => {
    const b = load()
    if (!b) throw new TpError('TP_ERR_NOT_FOUND', 'tp.js is not built: run `pnpm build` (packages/browser)')
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400, stale-while-revalidate=604800')
      .header('etag', b.etag)
      .header('vary', 'Accept-Encoding')
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
    if (req.headers['if-none-match'] === b.etag) return reply.code(304).send()
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? ''))
      return reply.header('content-encoding', 'gzip').send(b.gzip)
    return reply.send(b.raw)
  })
}
