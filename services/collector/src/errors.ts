import { boundMessage, callersMessage } from '@touchpoint/clickhouse'
import { issuesOf } from '@touchpoint/schema'
import type { z } from 'zod'

/**
 * The error catalog. Every error the collector answers with has a stable code, documented in docs/errors.md
 * (a test checks that each code here is documented there). Bodies are JSON:
 * `{ "statusCode": 400, "code": "TP_ERR_…", "message": "…", "path": "batch[2].event", "issues": [...] }`.
 */
export const ERRORS = {
  TP_ERR_MALFORMED_JSON: { status: 400, message: 'The body is not valid JSON' },
  TP_ERR_INVALID_BODY: { status: 400, message: 'The body does not have the expected shape' },
  TP_ERR_VALIDATION: { status: 400, message: 'The event failed validation' },
  TP_ERR_TRACKING_PLAN: { status: 400, message: "The event breaks the project's tracking plan" },
  TP_ERR_EMAIL_TOKEN: { status: 400, message: 'The email token is forged, malformed or expired' },
  TP_ERR_TOO_MANY_EVENTS: { status: 400, message: 'The batch has too many events' },
  TP_ERR_UNAUTHORIZED: { status: 401, message: 'Unknown or missing write or secret key' },
  TP_ERR_ADMIN_UNAUTHORIZED: { status: 401, message: 'Unknown or missing admin key' },
  TP_ERR_ORIGIN_FORBIDDEN: { status: 403, message: "The request's origin is not allowed for this project" },
  TP_ERR_NOT_FOUND: { status: 404, message: 'No such route' },
  TP_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'The route does not take this method' },
  TP_ERR_UNKNOWN_PROJECT: { status: 404, message: 'No project with that id' },
  TP_ERR_PERSON_NOT_FOUND: { status: 404, message: 'No events for that person' },
  TP_ERR_BODY_TOO_LARGE: { status: 413, message: 'The body is larger than the limit' },
  TP_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Send JSON as application/json (or as text/plain)',
  },
  TP_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; retry after the Retry-After seconds' },
  TP_ERR_SQL: { status: 400, message: 'ClickHouse refused the query' },
  TP_ERR_QUERY_LIMIT: { status: 400, message: 'The query went past a bound on read-only queries' },
  TP_ERR_NO_STORAGE: {
    status: 503,
    message:
      'This collector writes to Kafka and reads no ClickHouse: set CLICKHOUSE_URL to the ClickHouse the ingesters load, or ask an ingester started with TOUCHPOINT_CONFIG (its port)',
  },
  TP_ERR_SPOOL_FULL: { status: 503, message: 'The collector cannot accept events right now; retry later' },
  TP_ERR_SPOOL_WRITE: {
    status: 503,
    message: 'The collector could not write the events to its disk; retry later',
  },
  TP_ERR_INTERNAL: { status: 500, message: 'Internal error' },
} as const

/**
 * A ClickHouse error of a read-only query as the catalog's error: TP_ERR_QUERY_LIMIT naming the bound's variable
 * for a query past a bound, `refused` (or nothing, when a refusal is not the caller's doing) for the others.
 */
export function queryError(err: unknown, refused?: 'TP_ERR_SQL'): TpError | undefined {
  const e = err as Error & { type?: string; code?: string }
  if (e.type === undefined && e.code === undefined) return undefined
  const bounded = boundMessage(err)
  if (bounded) return new TpError('TP_ERR_QUERY_LIMIT', bounded)
  return refused && new TpError(refused, callersMessage(e), 'query')
}

/** Validates a body against a zod schema; the first issue names the field in the error, all are listed. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  throw invalidBody(parsed.error)
}

/**
 * A zod error as the 400 that names its first issue's field and lists them all; a missing field reads `is required
 * (string)`, as the tracking calls' refusals do, not zod's "expected string, received undefined".
 */
export function invalidBody(error: z.ZodError): TpError {
  const issues = issuesOf(error)
  const first = issues[0]
  return new TpError(
    'TP_ERR_INVALID_BODY',
    `${first?.path || 'body'}: ${first?.message}`,
    first?.path,
    issues,
  )
}

export type ErrorCode = keyof typeof ERRORS

export interface ErrorIssue {
  path: string
  message: string
}

export class TpError extends Error {
  readonly statusCode: number
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly path?: string,
    readonly issues?: ErrorIssue[],
    /** response headers that go with the error (Retry-After) */
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? ERRORS[code].message)
    this.statusCode = ERRORS[code].status
  }

  toJSON(): Record<string, unknown> {
    return {
      statusCode: this.statusCode,
      code: this.code,
      message: this.message,
      ...(this.path !== undefined && { path: this.path }),
      ...(this.issues && { issues: this.issues }),
    }
  }
}
