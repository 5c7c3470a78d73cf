/**
 * Request bodies from the collector's OpenAPI document: a valid one for a route's schema, and the same body with one
 * field (at any depth) set to each of a list of odd values. The collector's own document drives them, so a route
 * or a field added later is covered without a change here.
 */

type Schema = {
  $ref?: string
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  enum?: unknown[]
  const?: unknown
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  minItems?: number
  minimum?: number
}
export interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>
  components?: { schemas?: Record<string, Schema> }
}
type Json = unknown

const deref = (s: Schema | undefined, doc: OpenApi): Schema | undefined =>
  s?.$ref ? deref(doc.components?.schemas?.[s.$ref.split('/').pop() ?? ''], doc) : s

/** The JSON body schema of a route's POST. */
export const postSchema = (doc: OpenApi, path: string): Schema | undefined =>
  deref(doc.paths[path]?.post?.requestBody?.content?.['application/json']?.schema, doc)

/**
 * A body that validates: each required field, an enum's first value, a list of its fewest items (one at least);
 * `named` gives the value of a field by its name (`project`, `from`, `to`), optional ones included, and other text
 * is `fallbackText`.
 */
export function validBody(
  schema: Schema | undefined,
  doc: OpenApi,
  named: Record<string, Json>,
  fallbackText = 'Page Viewed',
  name = '',
): Json {
  const s = deref(schema, doc)
  if (!s) return fallbackText
  if (name in named) return named[name]
  const first = s.anyOf?.[0] ?? s.oneOf?.[0]
  if (first) return validBody(first, doc, named, fallbackText, name)
  if (s.allOf)
    return Object.assign({}, ...s.allOf.map((x) => validBody(x, doc, named, fallbackText, name) as object))
  if (s.enum) return s.enum[0]
  if (s.const !== undefined) return s.const
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  if (type === 'object' || s.properties) {
    // the required fields, and any optional one `named` gives (a tracking call's anonymousId)
    const keys = Object.keys(s.properties ?? {}).filter((k) => s.required?.includes(k) || k in named)
    return Object.fromEntries(keys.map((k) => [k, validBody(s.properties?.[k], doc, named, fallbackText, k)]))
  }
  if (type === 'array')
    return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () =>
      validBody(s.items, doc, named, fallbackText, name),
    )
  if (type === 'integer' || type === 'number') return s.minimum ?? 1
  if (type === 'boolean') return true
  return fallbackText
}

/**
 * `body` with one field set to each of `values`, for every field the schema names (optional ones too), inside
 * objects and the first item of lists to depth 4; `path` names the field as `steps[0].filters[0].value`.
 */
export function oneFieldChanged(
  body: Json,
  schema: Schema | undefined,
  doc: OpenApi,
  values: readonly Json[],
): { path: string; body: Json }[] {
  const out: { path: string; body: Json }[] = []
  const walk = (s: Schema | undefined, at: (string | number)[]) => {
    const d = deref(s, doc)
    if (!d || at.length > 4) return
    for (const alt of [...(d.anyOf ?? []), ...(d.oneOf ?? [])]) walk(alt, at)
    if (d.items) walk(d.items, [...at, 0])
    for (const [key, child] of Object.entries(d.properties ?? {})) {
      for (const value of values) {
        const changed = structuredClone(body) as Record<string | number, Json>
        let o: Record<string | number, Json> = changed
        for (const step of at) {
          o[step] ??= typeof step === 'number' ? [] : {}
          o = o[step] as Record<string | number, Json>
        }
        if (o === null || typeof o !== 'object') continue
        o[key] = value
        out.push({ path: [...at, key].join('.'), body: changed })
      }
      walk(child, [...at, key])
    }
  }
  walk(schema, [])
  return out
}
