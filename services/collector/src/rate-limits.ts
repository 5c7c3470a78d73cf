import { EMAIL_ROUTES } from '@touchpoint/node'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { anonymizeIp, rateLimitAddress } from './enrich/ip'
import { TpError } from './errors'
import type { Metrics } from './metrics'
import { bearerToken, type Credential, type ProjectRegistry } from './projects'
import { WindowCounter } from './util/window-counter'

export interface RateLimitConfig {
  /** Requests one client address may make per window; 0 turns the limit off. */
  perIp: number
  /** Requests one project key may make per window, from all addresses together; 0 turns the limit off. */
  perKey: number
  windowMs: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a request against its key's limit; throws TP_ERR_RATE_LIMITED (429 with Retry-After) past it. */
    limitKey(req: FastifyRequest, cred: Credential): void
  }
}

/**
 * Routes the address limit leaves alone. Probes and scrapes: an orchestrator must always get its answer. The
 * email pixel and click redirect: their signed token is their credential, and their traffic comes in bursts
 * from few addresses (Apple's and Gmail's image proxies, a company's gateway), where a refused redirect would
 * be a person's click that goes nowhere.
 */
const UNLIMITED_ROUTES = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  `${EMAIL_ROUTES.open}/:project/:token`,
  `${EMAIL_ROUTES.click}/:project/:token`,
])

/**
 * Rate limits per client address and per key, counted in memory: each collector counts its own requests, so
 * behind a load balancer the limits apply per instance. (The counts were @fastify/rate-limit's until a profile
 * put its two promise-chained limiters at 19 µs of a 230 µs single-event request; a WindowCounter counts
 * synchronously, in the same fixed windows.)
 * - Per address, before anything else is done with the request. Requests that carry a secret key or the admin
 *   key in their Authorization header skip it: a server sending through one address is known, and limited by
 *   its key instead.
 * - Per key, once the request's key is known: a quota per project, so one project cannot take the collector's
 *   capacity from the others.
 */
export const rateLimits = fp<{ config: RateLimitConfig; registry: ProjectRegistry; metrics: Metrics }>(
  async (app, { config, registry, metrics }) => {
    // the first refusal of each address or key in a window is logged (anonymised), not every one of a flood
    const reported = new Set<string>()
    const forget = setInterval(() => reported.clear(), config.windowMs).unref()
    app.addHook('onClose', async () => clearInterval(forget))
    const refuse = (req: FastifyRequest, who: string, remainingMs: number, scope: 'ip' | 'key') => {
      metrics.rateLimited.inc({ scope })
      if (!reported.has(who)) {
        reported.add(who)
        req.log.warn({ scope, who, reqId: req.id }, 'rate limited')
      }
      const seconds = Math.max(1, Math.ceil(remainingMs / 1000))
      return new TpError(
        'TP_ERR_RATE_LIMITED',
        `Too many requests ${scope === 'ip' ? 'from this address' : 'for this key'}; retry in ${seconds} s`,
        undefined,
        undefined,
        { 'retry-after': String(seconds) },
      )
    }

    const keyCounts = new WindowCounter(config.windowMs)
    app.decorate('limitKey', (req: FastifyRequest, cred: Credential) => {
      if (config.perKey <= 0) return
      const who = `${cred.project.id}:${cred.trusted ? 'secret' : 'write'}`
      const { count, remainingMs } = keyCounts.hit(who)
      if (count > config.perKey) throw refuse(req, `project ${who} key`, remainingMs, 'key')
    })

    if (config.perIp <= 0) return
    const ipCounts = new WindowCounter(config.windowMs)
    const trusted = (header: string | undefined) => {
      if (!header) return false
      if (header.startsWith('Bearer ')) return registry.isAdminKey(bearerToken(header))
      return registry.byBasicAuth(header)?.trusted === true
    }
    app.addHook('onRequest', (req, _reply, done) => {
      if (UNLIMITED_ROUTES.has(req.routeOptions.url ?? '') || trusted(req.headers.authorization))
        return done()
      const { count, remainingMs } = ipCounts.hit(rateLimitAddress(req.ip))
      done(count > config.perIp ? refuse(req, anonymizeIp(req.ip), remainingMs, 'ip') : undefined)
    })
  },
  { name: 'touchpoint-rate-limits' },
)
