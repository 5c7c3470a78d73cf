import { Analytics } from '@touchpoint/analytics'
import { type ClickHouse, onErasure } from '@touchpoint/clickhouse'
import { MAX_TOKEN_LENGTH } from '@touchpoint/node'
import { limits } from '@touchpoint/schema'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyBodyParser,
  type FastifyInstance,
  LogController,
} from 'fastify'
import type { CollectorConfig } from './config'
import { HandoffVerifier } from './email/handoff'
import { withoutPorts } from './enrich/ip'
import { TpError } from './errors'
import { EventProcessor } from './ingest/process'
import { watchKeys } from './key-reload'
import { Metrics } from './metrics'
import { durableAppend, type Sink, type Stored } from './pipeline/sink'
import { ProjectRegistry } from './projects'
import { rateLimits } from './rate-limits'
import { adSpendRoutes } from './routes/ad-spend'
import { analyticsRoutes } from './routes/analytics'
import { backupRoutes } from './routes/backup'
import { emailRoutes } from './routes/email'
import { healthRoutes } from './routes/health'
import { ingestRoutes } from './routes/ingest'
import { methodNotAllowed } from './routes/method-not-allowed'
import { INGESTER_OPENAPI, openApiRoutes } from './routes/openapi'
import { personRoutes } from './routes/person'
import { retryRoutes } from './routes/retry-rejected'
import { sdkRoutes } from './routes/sdk'
import { adminRoutes } from './routes/sql'
import { bodyText } from './util/body-text'

export interface AppServices {
  /** absent on a Kafka-mode collector without CLICKHOUSE_URL */
  ch: ClickHouse | undefined
  sink: Sink
  metrics: Metrics
  logger?: FastifyBaseLogger
  /** The projects and keys; startCollector passes one it reloads when the projects file changes. */
  registry?: ProjectRegistry
}

/** Maps anything thrown in a request to the error catalog; nothing a client sends becomes a 5xx. */
export function toTpError(err: unknown): TpError {
  if (err instanceof TpError) return err
  const e = err as Error & { code?: string; statusCode?: number }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TpError('TP_ERR_UNSUPPORTED_MEDIA_TYPE')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TpError(
        'TP_ERR_BODY_TOO_LARGE',
        `The body is larger than ${limits.MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)`,
      )
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TpError('TP_ERR_MALFORMED_JSON', 'The body is empty', '')
  }
  // zlib's, for a body that does not decompress as its Content-Encoding says (routes/encoded-body.ts)
  if (e.code?.startsWith('Z_'))
    return new TpError(
      'TP_ERR_INVALID_BODY',
      `The body does not decompress as its Content-Encoding says: ${e.message}`,
      '',
    )
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.message?.includes('JSON')) {
    if (e.statusCode === undefined || e.statusCode === 400)
      return new TpError('TP_ERR_MALFORMED_JSON', `The body is not valid JSON: ${e.message}`, '')
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new TpError('TP_ERR_INVALID_BODY', e.message)
  }
  return new TpError('TP_ERR_INTERNAL')
}

/** What JSON.parse says is wrong with a body Fastify's parser refused, if it is the JSON itself. */
function syntaxErrorOf(body: string): string | undefined {
  try {
    JSON.parse(body)
  } catch (err) {
    return (err as Error).message
  }
  return undefined
}

/**
 * Fastify's `trustProxy` for the config's. Fastify 5 now trusts nothing for a bare hop count, since it cannot check
 * the nearest peer; TRUST_PROXY's count says the collector is reachable only through that many proxies, so it is
 * given as the hops to believe.
 */
function trustedProxies(trust: CollectorConfig['trustProxy']) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust
}

/**
 * The Fastify app both builds start from: limits, timeouts, the JSON parsers, and the error and not-found answers
 * of the error catalog.
 */
function baseApp(config: CollectorConfig, logger: FastifyBaseLogger | undefined): FastifyInstance {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: limits.MAX_BODY_BYTES,
    // an email token is one path segment, a click token carries its target URL (MAX_TOKEN_LENGTH)
    // a library whose endpoint ends in a slash (…/v1/import/) reaches the route all the same
    routerOptions: { maxParamLength: MAX_TOKEN_LENGTH, ignoreTrailingSlash: true },
    trustProxy: trustedProxies(config.trustProxy),
    // per-request log lines cost more than the ingest path itself; errors are still logged
    logController: new LogController({ disableRequestLogging: true }),
    // one logger for all requests, not a child for each: with redaction on, pino's child() took 8 µs of a
    // 200 µs single-event request (--cpu-prof). The few request log lines carry their reqId themselves.
    childLoggerFactory: (logger) => logger,
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    return503OnClosing: true,
    // slow clients (slowloris): headers must arrive within headersTimeoutMs and the whole request within
    // requestTimeoutMs, or Node answers 408 and closes; it checks every second rather than every 30 s
    connectionTimeout: config.http.requestTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    // idle between requests: longer than the load balancer's, which would otherwise reuse a closing connection
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 1000 },
  })

  // behind proxies, the client's address comes from X-Forwarded-For, less any port a proxy wrote with it
  // (a callback hook: on every request, an async one would cost a promise each)
  if (config.trustProxy)
    app.addHook('onRequest', (req, _reply, done) => {
      const forwarded = req.raw.headers['x-forwarded-for']
      if (typeof forwarded === 'string') req.raw.headers['x-forwarded-for'] = withoutPorts(forwarded)
      done()
    })

  // JSON under application/json and text/plain (what sendBeacon sends, and what avoids a CORS preflight), and under
  // application/x-www-form-urlencoded: what curl -d says of its body unless told otherwise, and what RudderStack's
  // Node library (a Segment fork) says of its gzipped batches, its HTTP client's default for a Buffer. Whatever is
  // not JSON is refused as such. On a parse failure the raw text stays on the error, so the ingest routes can keep it
  // with its reason.
  const parseJson = app.getDefaultJsonParser('remove', 'remove')
  const jsonTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded']
  app.removeContentTypeParser(['application/json', 'text/plain'])
  const asJson: FastifyBodyParser<Buffer> = (req, raw, done) => {
    let body: string
    try {
      body = bodyText(raw, req.headers['content-type'])
    } catch (err) {
      return done(Object.assign(err as Error, { rawBody: raw.toString('utf8') }), undefined)
    }
    parseJson(req, body, (err, value) => {
      // Fastify's error says only that the content type is application/json; JSON.parse's says where it broke
      if (err) Object.assign(err, { rawBody: body, message: syntaxErrorOf(body) ?? err.message })
      done(err, value)
    })
  }
  app.addContentTypeParser(jsonTypes, { parseAs: 'buffer' }, asJson)

  // a body with no type is read as JSON too (Python's requests sends none for data=json.dumps(…)); any other type
  // is refused with 415, its body read (within the body limit) so that the ingest routes can keep it with its
  // reason, as they keep malformed JSON
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    const type = req.headers['content-type']
    if (type === undefined) return asJson(req, body, done)
    const err = new TpError(
      'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type}: send JSON as application/json (or as text/plain)`,
    )
    done(Object.assign(err, { rawBody: body.toString('utf8') }), undefined)
  })

  app.setErrorHandler(async (err, req, reply) => {
    const tp = toTpError(err)
    // a full spool, or one the disk does not take, is said once by the pipeline (spool-health.ts), not per request
    if (tp.statusCode >= 500 && tp.code !== 'TP_ERR_SPOOL_FULL' && tp.code !== 'TP_ERR_SPOOL_WRITE')
      req.log.error({ err, reqId: req.id }, 'request failed')
    if (tp.headers) reply.headers(tp.headers)
    return reply.code(tp.statusCode).send(tp.toJSON())
  })
  methodNotAllowed(app)
  app.setNotFoundHandler(async (req, reply) => {
    const err = new TpError('TP_ERR_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`)
    return reply.code(404).send(err.toJSON())
  })
  return app
}

/**
 * The admin API over what is stored, each route behind the admin key: SQL, the analytics, a person's data and
 * its erasure, ad spend. Without ClickHouse (a Kafka-mode collector without CLICKHOUSE_URL) each answers
 * TP_ERR_NO_STORAGE.
 */
function queryRoutes(
  app: FastifyInstance,
  ch: ClickHouse | undefined,
  registry: ProjectRegistry,
  stored: Stored | undefined,
) {
  app.register(adminRoutes, { ch, registry })
  app.register(personRoutes, { ch, registry, ...(stored && { stored }) })
  app.register(adSpendRoutes, { ch, registry })
  app.register(backupRoutes, { ch, registry })
  app.register(analyticsRoutes, { analytics: ch && new Analytics(ch), registry })
}

/** The collector as a Fastify app, wired to the given storage and sink. Tests build it on a temp directory. */
export function buildApp(config: CollectorConfig, services: AppServices): FastifyInstance {
  const app = baseApp(config, services.logger)
  const registry = services.registry ?? new ProjectRegistry(config.keys)
  app.register(rateLimits, { config: config.rateLimits, registry, metrics: services.metrics })
  const processor = new EventProcessor(new HandoffVerifier(registry), {
    deferRows: services.sink.buildsRows === true,
    secretsOf: (id) => registry.secretsOf(id),
    planOf: (id) => registry.planOf(id),
    ipCountries: config.countries,
  })
  // an erasure made through this process (the admin API) may have removed links the processor took for sent
  if (services.ch) onErasure(services.ch, () => processor.forgetLinks())
  app.register(healthRoutes, { ch: services.ch, sink: services.sink, metrics: services.metrics })
  app.register(openApiRoutes)
  app.register(ingestRoutes, { registry, sink: services.sink, metrics: services.metrics, processor })
  app.register(sdkRoutes)
  app.register(emailRoutes, {
    registry,
    sink: services.sink,
    metrics: services.metrics,
    countries: config.countries,
  })
  const { sink } = services
  app.register(retryRoutes, { ch: services.ch, registry, processor, append: durableAppend(sink) })
  queryRoutes(app, services.ch, registry, sink.stored && ((ms) => sink.stored!(ms)))
  return app
}

/**
 * The admin API over what is stored (queryRoutes), alone: for a process that holds ClickHouse and takes no events,
 * the ingester with its embedded engine, which no other process can open. Its keys are the collector's projects
 * file's, kept in step with it as the collector keeps them (key-reload.ts); close() stops watching.
 */
export function buildQueryApp(
  config: CollectorConfig,
  ch: ClickHouse,
  logger?: FastifyBaseLogger,
  /** resolves once what the process's sources acknowledged before is loaded (the ingester's consumer caught up) */
  stored?: Stored,
): FastifyInstance {
  const app = baseApp(config, logger)
  const registry = new ProjectRegistry(config.keys)
  app.register(rateLimits, { config: config.rateLimits, registry, metrics: new Metrics() })
  queryRoutes(app, ch, registry, stored)
  // what this server answers: the admin API, and the ingester's own /healthz, /readyz and /metrics
  app.register(openApiRoutes, INGESTER_OPENAPI)
  const unwatch = watchKeys(config, registry, logger ?? app.log)
  app.addHook('onClose', async () => unwatch())
  return app
}
