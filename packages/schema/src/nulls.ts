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
export const withoutNulls = (o: JsonObject): JsonObject =>
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

/**
 * A call without a `userId` or `anonymousId` sent as empty text, which is no id either: Segment's Ruby library
 * sends `user_id: current_user&.id.to_s` as `""` for a visitor not signed in, beside the anonymous id. The call
 * itself when it has none (a call with neither id is still refused, for want of one).
 */
export function withoutEmptyIds(call: JsonObject): JsonObject {
  if (call.userId !== '' && call.anonymousId !== '') return call
  return Object.fromEntries(
    Object.entries(call).filter(([k, v]) => v !== '' || (k !== 'userId' && k !== 'anonymousId')),
  )
}
