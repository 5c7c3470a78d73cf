import { isPlainObject, type JsonObject } from './json'

/**
 * Null is "not set" in what callers send: Segment's Python library sends a page call's `name` and `category` as
 * null when none is given, and a server's own code writes a database's NULL (a Python `None`, a Go nil pointer)
 * the same way. So a call's fields that are null count as absent, where its schema names them optional.
 */

const hasNull = (o: JsonObject) => {
  for (const k in o) if (o[k] === null) return true
  return false
}

/** `o` without its null fields, or `o` itself when it has none. `fromEntries`, so a `__proto__` key stays a key. */
const withoutNulls = (o: JsonObject): JsonObject =>
  hasNull(o) ? Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) : o

/**
 * A call without the null fields of its top level, of its context and of the context's objects (page, campaign,
 * device…); the call itself when it has none. Properties and traits (also the context's) keep theirs: they are the
 * sender's data, and a trait set to null says something.
 */
export function callWithoutNulls(call: JsonObject): JsonObject {
  const out = withoutNulls(call)
  const context = out.context
  if (!isPlainObject(context) || !hasNullWithin(context)) return out
  const ctx = Object.entries(context)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => [k, isPlainObject(v) && k !== 'traits' ? withoutNulls(v) : v])
  return { ...out, context: Object.fromEntries(ctx) }
}

const hasNullWithin = (o: JsonObject) => {
  for (const k in o) {
    const v = o[k]
    // typeof first: cheaper than isPlainObject on the way of every call (an array with a null costs a copy)
    if (v === null || (typeof v === 'object' && k !== 'traits' && hasNull(v as JsonObject))) return true
  }
  return false
}

/** The fields of a call whose empty text is no value either: the person's ids, and a view's name and category. */
const EMPTY_IS_UNSET = new Set(['userId', 'anonymousId', 'name', 'category'])

/**
 * A call without those fields where they are empty text. Segment's Ruby library sends a page without a name as
 * `"name": ""` (`nil.to_s`), and `user_id: current_user&.id.to_s` as `"userId": ""` for a visitor not signed in,
 * beside the anonymous id. The call itself when it has none (a call with neither id is still refused, for want of
 * one; an event's name is `event`, which must not be empty).
 */
export function withoutEmptyText(call: JsonObject): JsonObject {
  if (call.userId !== '' && call.anonymousId !== '' && call.name !== '' && call.category !== '') return call
  return Object.fromEntries(Object.entries(call).filter(([k, v]) => v !== '' || !EMPTY_IS_UNSET.has(k)))
}
