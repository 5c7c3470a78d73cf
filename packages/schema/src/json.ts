import { z } from 'zod'
import { MAX_PROPERTY_DEPTH, MAX_PROPERTY_KEYS } from './limits'

export type JsonObject = Record<string, unknown>

/** True for `{...}` values as JSON.parse makes them; arrays, null and class instances are not. */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Nesting depth of a JSON value: a scalar is 0, `{}` is 1, `{"a":{}}` is 2. Stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_PROPERTY_DEPTH + 1): number {
  if (typeof value !== 'object' || value === null) return 0
  if (limit <= 0) return 1
  let deepest = 0
  const children = Array.isArray(value) ? value : Object.values(value)
  for (const child of children) {
    const d = jsonDepth(child, limit - 1)
    if (d > deepest) deepest = d
    if (deepest >= limit) break
  }
  return deepest + 1
}

/**
 * A free-form JSON object (properties, traits, integrations): plain object, bounded depth and key count.
 * Validated in place, without copying, so large payloads cost one walk.
 */
export const jsonObject = z
  .custom<JsonObject>(isPlainObject, { error: 'must be a JSON object' })
  .refine((v) => Object.keys(v).length <= MAX_PROPERTY_KEYS, {
    error: `must have at most ${MAX_PROPERTY_KEYS} keys`,
  })
  .refine((v) => jsonDepth(v) <= MAX_PROPERTY_DEPTH, {
    error: `must be nested at most ${MAX_PROPERTY_DEPTH} levels deep`,
  })
