import type { FastifyInstance } from 'fastify'
import { TpError } from '../errors'

/** A route's URL as a pattern of paths: each `:param` one segment, a trailing slash or none (ignoreTrailingSlash). */
const patternOf = (url: string) =>
  new RegExp(
    `^${url
      .replace(/\/$/, '')
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}/?$`,
  )

/**
 * 405 with an Allow header for a path the collector serves under other methods (a browser's GET of /v1/track, a
 * POST to /healthz), where Fastify would answer 404 as if the route did not exist. Checked when the request
 * arrives, before its body is read. Call it before the routes are registered: it learns them as they are.
 */
export function methodNotAllowed(app: FastifyInstance): void {
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = []
  const byUrl = new Map<string, Set<string>>()
  // the CORS preflight's OPTIONS route answers every path
  let optionsEverywhere = false
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    if (route.url.includes('*')) {
      optionsEverywhere ||= methods.includes('OPTIONS')
      return
    }
    let known = byUrl.get(route.url)
    if (!known) {
      known = new Set()
      byUrl.set(route.url, known)
      routes.push({ pattern: patternOf(route.url), methods: known })
    }
    for (const m of methods) known.add(m)
  })
  app.addHook('onRequest', (req, reply, done) => {
    if (!req.is404) return done()
    const path = req.url.split('?')[0]!
    const allowed = new Set<string>()
    for (const r of routes) if (r.pattern.test(path)) for (const m of r.methods) allowed.add(m)
    if (allowed.size === 0) return done()
    if (optionsEverywhere) allowed.add('OPTIONS')
    const allow = [...allowed].join(', ')
    const err = new TpError('TP_ERR_METHOD_NOT_ALLOWED', `${req.method} ${path}: this route answers ${allow}`)
    reply.code(405).header('allow', allow).send(err.toJSON())
  })
}
