import type { z } from 'zod'
import { customerEventIssues, withSpecNames } from './customer-events'
import { EVENT_TYPES, type EventType, eventSchemas, type IncomingEvent } from './events'
import { isPlainObject, jsonDepth } from './json'
import { MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from './limits'
import { callWithoutNulls, withoutEmptyText } from './nulls'
import { revenueIssues } from './revenue'

/** One reason an event was refused: the failing field's dotted path and what is wrong with it. */
export interface FieldIssue {
  path: string
  message: string
}

export type Validation = { ok: true; event: IncomingEvent } | { ok: false; issues: FieldIssue[] }

/** `['properties', 'items', 0, 'price']` → `properties.items[0].price`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out
}

/** zod's "Invalid input: expected string, received undefined" says, for people, that the field is missing. */
const MISSING = /^Invalid input: expected (\w+), received undefined$/

export function issuesOf(error: z.ZodError | { issues: z.core.$ZodIssue[] }): FieldIssue[] {
  return error.issues.map((issue) => {
    const missing = MISSING.exec(issue.message)
    return { path: formatPath(issue.path), message: missing ? `is required (${missing[1]})` : issue.message }
  })
}

const isEventType = (t: unknown): t is EventType => EVENT_TYPES.includes(t as EventType)

/**
 * Validates one incoming call. `impliedType` is the type a single-call route stands for (/v1/track → track);
 * a batch item must name its own. `serializedBytes` lets a caller that already measured the event skip a
 * second JSON.stringify.
 */
export function validateEvent(raw: unknown, impliedType?: EventType, serializedBytes?: number): Validation {
  if (!isPlainObject(raw)) return { ok: false, issues: [{ path: '', message: 'must be a JSON object' }] }
  if (jsonDepth(raw, MAX_EVENT_DEPTH + 1) > MAX_EVENT_DEPTH)
    return {
      ok: false,
      issues: [{ path: '', message: `must be nested at most ${MAX_EVENT_DEPTH} levels deep` }],
    }
  const bytes = serializedBytes ?? Buffer.byteLength(JSON.stringify(raw))
  if (bytes > MAX_EVENT_BYTES) {
    return {
      ok: false,
      issues: [{ path: '', message: `event is ${bytes} bytes, over the ${MAX_EVENT_BYTES}-byte limit` }],
    }
  }
  // a field sent as null is one not sent, and so is an empty id or view name (nulls.ts)
  const call = withoutEmptyText(callWithoutNulls(raw))
  const type = call.type ?? impliedType
  if (!isEventType(type)) {
    return { ok: false, issues: [{ path: 'type', message: `must be one of ${EVENT_TYPES.join(', ')}` }] }
  }
  if (impliedType && call.type !== undefined && call.type !== impliedType) {
    return { ok: false, issues: [{ path: 'type', message: `must be "${impliedType}" on this route` }] }
  }
  const parsed = eventSchemas[type].safeParse(call.type === undefined ? { ...call, type } : call)
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) }
  if (parsed.data.type === 'track') {
    // Segment's e-commerce names (order_id, product_id, total) taken as Touchpoint's, before the check
    parsed.data.properties = withSpecNames(parsed.data.event, parsed.data.properties)
    const { event, properties = {} } = parsed.data
    const issues = issuesOf({
      issues: customerEventIssues(event, properties).map((i) => ({ ...i, path: ['properties', ...i.path] })),
    })
    // the customer-event schema's own word on a field comes first
    for (const [field, message] of revenueIssues(event, properties))
      if (!issues.some((i) => i.path === `properties.${field}`))
        issues.push({ path: `properties.${field}`, message })
    if (issues.length) return { ok: false, issues }
  }
  return { ok: true, event: parsed.data as IncomingEvent }
}
