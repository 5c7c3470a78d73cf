import { retryRejectedRequest } from '@touchpoint/analytics'
import { adSpendRequest } from '@touchpoint/clickhouse'
import { batchEnvelope, eventSchemas } from '@touchpoint/schema'
import type { FastifyPluginAsync } from 'fastify'
import { ERRORS } from '../errors'
import { ANALYTICS_ROUTES } from './analytics'
import { backupRequest } from './backup'
import { OpenApiSchemas } from './openapi-schema'
import { personRequest } from './person'
import { sqlRequest } from './sql'

const errorBody = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERRORS) },
    message: { type: 'string' },
    path: { type: 'string', description: 'the failing field, dotted (batch[2].event)' },
    issues: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
}

const basic = [{ writeKey: [] }]

/** An object whose fields are not described here: a generated client types it as a map, not as empty. */
const anyObject = { type: 'object', additionalProperties: true }

export interface OpenApiOptions {
  /** the document's title */
  title?: string
  /** the paths a server answers, where it answers only some (the ingester: INGESTER_OPENAPI) */
  only?: (path: string) => boolean
  /** what /readyz says, where it is not the collector's */
  readyz?: { summary: string; unavailable: string }
}

/** The collector's /readyz. */
const COLLECTOR_READYZ = {
  summary:
    'Readiness, whether tracking calls are taken: 200 ok, or degraded (Kafka or storage away or refusing inserts: events are spooled; with Kafka, `reason` names its last failure); 503 down (the spool cannot be written or is full: events refused)',
  unavailable: '{ ready: false, status: "down", storage: "reachable" | "unreachable" }',
}

/** The ingester's document: the admin API over what it loads, and its own /healthz, /readyz and /metrics. */
export const INGESTER_OPENAPI: OpenApiOptions = {
  title: 'Touchpoint ingester: admin API',
  // a retry of refused calls stores them: the collector's, which takes events
  only: (path) =>
    (path.startsWith('/api/') && path !== '/api/rejected/retry') ||
    ['/healthz', '/readyz', '/metrics'].includes(path),
  readyz: {
    summary:
      'Readiness: 503 starting until the ingester has joined its consumer group; then 200, ok or degraded (its consumer replaced, inserts into ClickHouse failing, or ClickHouse not answering a ping: `reason` says which), with `storage`: reachable or unreachable',
    unavailable: '{ ready: false, status: "starting" }',
  },
}

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function openApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, Record<string, unknown>>> = {}
  const schemas = new OpenApiSchemas()
  const schema = schemas.of.bind(schemas)
  const responses = (ok: unknown) => ({
    200: { description: 'Accepted', content: { 'application/json': { schema: ok } } },
    '4XX': { description: 'Refused', content: { 'application/json': { schema: errorBody } } },
  })
  for (const [type, s] of Object.entries(eventSchemas)) {
    paths[`/v1/${type}`] = {
      post: {
        summary: `Segment-compatible ${type} call (also at /v1/${type[0]}, where Segment's browser library sends it)`,
        security: basic,
        requestBody: { required: true, content: { 'application/json': { schema: typeFromPath(schema(s)) } } },
        responses: responses({ type: 'object', properties: { success: { type: 'boolean' } } }),
      },
    }
  }
  paths['/v1/batch'] = {
    post: {
      summary:
        'A batch of calls; each is accepted or rejected on its own (also at /v1/b and /v1/import, where Segment libraries send batches; a body may be gzip- or deflate-compressed)',
      security: basic,
      requestBody: { required: true, content: { 'application/json': { schema: schema(batchEnvelope) } } },
      responses: responses({
        type: 'object',
        properties: {
          success: { type: 'boolean' },
          accepted: { type: 'integer' },
          rejected: { type: 'array', items: anyObject },
        },
      }),
    },
  }
  paths['/api/sql'] = {
    post: {
      summary: 'Read-only SQL (readonly=1); values as ClickHouse query parameters',
      security: [{ adminKey: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: schema(sqlRequest) } } },
      responses: responses({
        type: 'object',
        properties: { rows: { type: 'array', items: anyObject } },
      }),
    },
  }
  paths['/api/forget'] = {
    post: {
      summary: 'GDPR erasure of one person: events, identity links, refused calls naming them',
      security: [{ adminKey: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: schema(personRequest) } } },
      responses: responses(anyObject),
    },
  }
  paths['/api/export'] = {
    post: {
      summary:
        "GDPR access: one person's events, identity links and refused calls naming them, as NDJSON lines",
      security: [{ adminKey: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: schema(personRequest) } } },
      responses: {
        ...responses(anyObject),
        200: {
          description:
            'A person line, then one line per stored row: {"kind":"event"|"identity"|"refused","row":{…}}',
          content: { 'application/x-ndjson': { schema: { type: 'string' } } },
        },
      },
    },
  }
  paths['/api/ad-spend'] = {
    post: {
      summary:
        'What ads cost, by day and UTM tags; a day re-sent replaces what was stored for it. Attribution sets it beside the revenue',
      security: [{ adminKey: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: schema(adSpendRequest) } } },
      responses: responses({
        type: 'object',
        properties: {
          project: { type: 'string' },
          received: { type: 'integer' },
          stored: { type: 'integer' },
        },
      }),
    },
  }
  paths['/api/backup'] = {
    post: {
      summary:
        'Embedded engine: a copy of the stored tables, written into <data dir>/backups/<name> (touchpoint restore loads it)',
      security: [{ adminKey: [] }],
      requestBody: { required: false, content: { 'application/json': { schema: schema(backupRequest) } } },
      responses: responses({
        type: 'object',
        properties: { dir: { type: 'string' }, manifest: anyObject },
      }),
    },
  }
  paths['/api/rejected/retry'] = {
    post: {
      summary:
        'The calls refused in a range (by their fields or the tracking plan) checked again, and those now accepted stored as received; dryRun only counts (the collector only)',
      security: [{ adminKey: [] }],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(retryRejectedRequest) } },
      },
      responses: responses({
        type: 'object',
        properties: {
          project: { type: 'string' },
          dryRun: { type: 'boolean' },
          examined: { type: 'integer' },
          accepted: { type: 'integer' },
          stillRefused: { type: 'integer' },
          reasons: { type: 'array', items: anyObject },
          unreadable: { type: 'integer' },
        },
      }),
    },
  }
  for (const [path, r] of Object.entries(ANALYTICS_ROUTES)) {
    paths[path] = {
      post: {
        summary: r.summary,
        security: [{ adminKey: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: schema(r.schema) } } },
        responses: responses(anyObject),
      },
    }
  }
  const token = (description: string) => [
    { name: 'project', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'token', in: 'path', required: true, description, schema: { type: 'string' } },
  ]
  paths['/e/o/{project}/{token}'] = {
    get: {
      summary: 'Email open pixel: always the 43-byte GIF; a valid token records Email Opened (docs/email.md)',
      parameters: token('signed open token, with .gif appended'),
      responses: { 200: { description: 'image/gif', content: { 'image/gif': {} } } },
    },
  }
  paths['/e/c/{project}/{token}'] = {
    get: {
      summary:
        'Email click redirect: 302 to the signed target with UTM tags and the hand-off; records Email Clicked',
      parameters: token('signed click token'),
      responses: {
        302: { description: 'to the signed target' },
        400: { description: 'forged, changed or malformed token: a plain page, no Location' },
      },
    },
    head: {
      summary: 'As GET, recorded as a scanner click',
      parameters: token('signed click token'),
      responses: {
        302: { description: 'to the signed target' },
        400: { description: 'forged, changed or malformed token: no Location' },
      },
    },
  }
  paths['/healthz'] = { get: { summary: 'Liveness: the process answers', responses: ok } }
  const readyz = options.readyz ?? COLLECTOR_READYZ
  paths['/readyz'] = {
    get: {
      summary: readyz.summary,
      responses: {
        ...ok,
        503: { description: readyz.unavailable, content: { 'application/json': { schema: anyObject } } },
      },
    },
  }
  paths['/metrics'] = { get: { summary: 'Prometheus metrics, as text', responses: ok } }
  const only = options.only
  if (only) for (const p of Object.keys(paths)) if (!only(p)) delete paths[p]
  for (const [path, operations] of Object.entries(paths))
    for (const [method, operation] of Object.entries(operations)) {
      operation.operationId = operationIdOf(method, path)
      // the pixel, the redirect and the health routes take no key
      operation.security ??= []
    }
  return {
    openapi: '3.1.0',
    info: { title: options.title ?? 'Touchpoint collector', version: '0.1.0' },
    servers: [{ url: '/', description: 'where this document was served from' }],
    components: {
      schemas: schemas.components,
      securitySchemes: {
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description: 'write key (or secret key) as the user name',
        },
        adminKey: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  }
}

const ok = { 200: { description: 'OK' } }

/** A single call's `type`, which its path gives: the body may leave it out. */
function typeFromPath(json: Record<string, unknown>): Record<string, unknown> {
  const required = (json.required as string[] | undefined)?.filter((r) => r !== 'type')
  return { ...json, required }
}

/**
 * The name a generated client gives an operation: `/v1/track` → track, `/api/reports/time-of-day` →
 * reportsTimeOfDay, `/e/c/{project}/{token}` → emailClick (headEmailClick for HEAD).
 */
export function operationIdOf(method: string, path: string): string {
  const named: Record<string, string> = {
    '/e/o/{project}/{token}': 'emailOpen',
    '/e/c/{project}/{token}': 'emailClick',
  }
  const words = (named[path] ?? path.replace(/^\/(v1|api)\//, '/'))
    .split(/[/-]/)
    .filter((w) => w && !w.startsWith('{'))
  const camel = words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('')
  return method === 'post' || method === 'get' ? camel : method + camel[0]!.toUpperCase() + camel.slice(1)
}

export const openApiRoutes: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  const doc = openApiDocument(options)
  app.get('/openapi.json', async () => doc)
}
