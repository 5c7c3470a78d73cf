import cors from '@fastify/cors'
import {
  batchEnvelope,
  EVENT_TYPES,
  type EventSource,
  type EventType,
  isPlainObject,
  issuesOf,
  limits,
  parseTimestamp,
} from '@touchpoint/schema'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { RequestFacts } from '../enrich/event-row'
import { type ErrorCode, TpError } from '../errors'
import { type EventProcessor, rejectedRecord } from '../ingest/process'
import type { Metrics } from '../metrics'
import { durableAppend, type Sink } from '../pipeline/sink'
import { type Credential, originAllowed, type ProjectRegistry } from '../projects'
import { decodeBody, plainBodyBytes } from './encoded-body'

export interface IngestOptions {
  registry: ProjectRegistry
  sink: Sink
  metrics: Metrics
  processor: EventProcessor
}

/** The caller's credential: HTTP Basic with the key as user name, or `writeKey` in the body (Segment's two ways). */
function credentialOf(req: FastifyRequest, registry: ProjectRegistry): Credential | undefined {
  const header = req.headers.authorization
  if (header?.startsWith('Basic ')) return registry.byBasicAuth(header)
  return isPlainObject(req.body) && typeof req.body.writeKey === 'string'
    ? registry.byKey(req.body.writeKey)
    : undefined
}

function factsOf(
  req: FastifyRequest,
  cred: Credential,
  registry: ProjectRegistry,
  receivedAt: number,
  sentAt?: unknown,
): RequestFacts {
  const sites = registry.sitesOf(cred.project.id)
  return {
    // a server's calls come from its own address, whatever the customer's: only a write-key call is internal
    ...(!cred.trusted && registry.isInternal(cred.project.id, req.ip) && { internal: true }),
    ...(sites && { sites }),
    projectId: cred.project.id,
    trusted: cred.trusted,
    source: sourceOf(req, cred),
    receivedAt,
    ip: req.ip,
    userAgent: req.headers['user-agent'],
    sentAt: typeof sentAt === 'string' && !Number.isNaN(parseTimestamp(sentAt)) ? sentAt : undefined,
  }
}

/** Secret-key calls are server events, or an import when the client says so (`touchpoint import`). */
function sourceOf(req: FastifyRequest, cred: Credential): EventSource {
  if (!cred.trusted) return 'browser'
  return req.headers['x-touchpoint-source'] === 'import' ? 'import' : 'server'
}

// a compressed body's Content-Length says nothing of its events' size: each is measured then (ingest/process.ts)
const bodyBytes = (req: FastifyRequest) => Number(plainBodyBytes(req.headers) ?? limits.MAX_BODY_BYTES)

/**
 * Segment-compatible tracking routes: POST /v1/batch and /v1/{track,page,screen,identify,alias,group}, each also
 * under the short path Segment's browser library (analytics.js 2.0, `@segment/analytics-next`) posts to: the
 * type's first letter (/v1/t, /v1/p, /v1/s, /v1/i, /v1/a, /v1/g) and /v1/b for a batch; and /v1/import, where
 * Segment's Ruby, Java, Android and iOS libraries post their batches. A body may come gzip-compressed.
 * Each accepted event is durable (spooled and fsync'd, or acknowledged by Kafka) before the answer.
 */
export const ingestRoutes: FastifyPluginAsync<IngestOptions> = async (
  app,
  { registry, sink, metrics, processor },
) => {
  // CORS with static options, answered before the body is read (so a browser can also read a 400 for a body
  // that did not parse). A preflight carries no key: any project's allowed origin passes it. The real request is
  // checked against its key's project in authenticate, which takes the allow header off a refusal. (A delegator
  // that looked the key up on every request cost 25 µs of a 230 µs single-event request, measured with
  // --cpu-prof: @fastify/cors normalises the options a delegator returns each time.)
  await app.register(cors, {
    origin: (origin, done) => done(null, origin !== undefined && registry.anyProjectAllows(origin)),
    methods: ['POST', 'GET'],
    maxAge: 86_400,
  })
  app.addHook('preParsing', decodeBody)

  const authenticate = async (req: FastifyRequest, reply: FastifyReply): Promise<Credential> => {
    const cred = credentialOf(req, registry)
    if (!cred) throw new TpError('TP_ERR_UNAUTHORIZED')
    app.limitKey(req, cred)
    const origin = req.headers.origin
    if (origin && !originAllowed(cred.project, origin)) {
      reply.removeHeader('access-control-allow-origin')
      throw new TpError(
        'TP_ERR_ORIGIN_FORBIDDEN',
        `Origin ${origin} is not allowed for project ${cred.project.id}`,
      )
    }
    return cred
  }

  const durably = durableAppend(sink)

  /**
   * Stores a whole refused request in events_rejected, then answers with the error: a refusal is answered once it
   * is kept, so a spool in trouble answers 503 (the sender retries, and is refused then, with the refusal kept).
   */
  const refuse = async (
    req: FastifyRequest,
    cred: Credential,
    code: ErrorCode,
    err: TpError,
    raw: unknown,
  ) => {
    const facts = factsOf(req, cred, registry, Date.now())
    await durably([
      rejectedRecord(
        facts,
        req.url,
        code,
        err.issues ?? [{ path: err.path ?? '', message: err.message }],
        raw,
      ),
    ])
    metrics.rejected.inc({ code })
    throw err
  }

  const single = (type: EventType) => async (req: FastifyRequest, reply: FastifyReply) => {
    const cred = await authenticate(req, reply)
    if (!isPlainObject(req.body)) {
      await refuse(
        req,
        cred,
        'TP_ERR_INVALID_BODY',
        new TpError('TP_ERR_INVALID_BODY', 'The body must be a JSON object', ''),
        req.body,
      )
    }
    const facts = factsOf(req, cred, registry, Date.now())
    const out = processor.process([req.body], type, facts, req.url, bodyBytes(req))
    await durably(out.records)
    metrics.accepted.inc({ project: cred.project.id }, out.accepted)
    const bad = out.rejected[0]
    if (bad) {
      const code = bad.code ?? 'TP_ERR_VALIDATION'
      metrics.rejected.inc({ code })
      const first = bad.issues[0]
      throw new TpError(
        code,
        first ? `${first.path || 'event'}: ${first.message}` : undefined,
        first?.path,
        bad.issues,
      )
    }
    return reply.send({ success: true })
  }

  for (const type of EVENT_TYPES) {
    const handler = single(type)
    app.post(`/v1/${type}`, handler)
    app.post(`/v1/${type[0]}`, handler)
  }

  const batch = async (req: FastifyRequest, reply: FastifyReply) => {
    const cred = await authenticate(req, reply)
    const envelope = batchEnvelope.safeParse(req.body)
    if (!envelope.success) {
      const issues = issuesOf(envelope.error)
      const err = new TpError(
        'TP_ERR_INVALID_BODY',
        `${issues[0]?.path || 'body'}: ${issues[0]?.message}`,
        issues[0]?.path,
        issues,
      )
      return refuse(req, cred, 'TP_ERR_INVALID_BODY', err, req.body)
    }
    const { batch, context, sentAt } = envelope.data
    if (batch.length > limits.MAX_EVENTS_PER_BATCH) {
      const err = new TpError(
        'TP_ERR_TOO_MANY_EVENTS',
        `The batch has ${batch.length} events; the limit is ${limits.MAX_EVENTS_PER_BATCH} (MAX_EVENTS_PER_BATCH)`,
        'batch',
      )
      return refuse(req, cred, 'TP_ERR_TOO_MANY_EVENTS', err, req.body)
    }
    const items = context
      ? batch.map((e) =>
          isPlainObject(e)
            ? { ...e, context: { ...context, ...(isPlainObject(e.context) ? e.context : {}) } }
            : e,
        )
      : batch
    const facts = factsOf(req, cred, registry, Date.now(), sentAt)
    const out = processor.process(items, undefined, facts, req.url, bodyBytes(req))
    await durably(out.records)
    metrics.accepted.inc({ project: cred.project.id }, out.accepted)
    for (const r of out.rejected) metrics.rejected.inc({ code: r.code ?? 'TP_ERR_VALIDATION' })
    return reply.send({ success: true, accepted: out.accepted, rejected: out.rejected })
  }
  app.post('/v1/batch', batch)
  app.post('/v1/b', batch)
  app.post('/v1/import', batch)

  /**
   * A body that was not read as JSON (malformed, or of another content type) is kept (as text) when the request's
   * key is known from its Basic header.
   */
  app.setErrorHandler(async (error: Error & { rawBody?: string; code?: string }, req) => {
    if (typeof error.rawBody === 'string') {
      const cred = registry.byBasicAuth(req.headers.authorization)
      if (cred) {
        const code = error instanceof TpError ? error.code : 'TP_ERR_MALFORMED_JSON'
        const facts = factsOf(req, cred, registry, Date.now())
        const issue = { path: '', message: error.message }
        // kept as a refusal is: a spool in trouble answers 503 (durably); anything else leaves the 4xx as it is
        await durably([rejectedRecord(facts, req.url, code, [issue], error.rawBody)]).catch((e: unknown) => {
          if (e instanceof TpError) throw e
        })
        metrics.rejected.inc({ code })
      }
    }
    throw error
  })
}
