import { adSpendDay } from '@touchpoint/clickhouse'
import { isoDateTime, jsonObject, limits, propertyRule } from '@touchpoint/schema'
import { z } from 'zod'

/** What a `Date` becomes: a JSON body cannot carry one, so the branch is dropped from the union it is in. */
const NO_DATE = '__touchpoint_no_date'

type Json = Record<string, unknown>

/**
 * Names for the schemas that refer to themselves, in a registry of this module's: an id in zod's global one
 * would throw where two copies of @touchpoint/schema are loaded (one bundled into @touchpoint/node).
 */
const NAMES = z.registry<Json & { id?: string }>()
NAMES.add(propertyRule, { id: 'TrackingPlanPropertyRule' })
// what checks in code (refine, custom) take, which JSON Schema cannot see: so that a client generated from the
// document, or a fuzzer's requests, send what the collector takes
NAMES.add(isoDateTime, {
  format: 'date-time',
  description: 'RFC 3339; also a date alone, no seconds, a space for the T, or no zone (UTC)',
})
NAMES.add(jsonObject, {
  type: 'object',
  maxProperties: limits.MAX_PROPERTY_KEYS,
  description: `any JSON object, nested at most ${limits.MAX_PROPERTY_DEPTH} levels deep`,
})
NAMES.add(adSpendDay, { format: 'date' })

/**
 * zod schemas as OpenAPI 3.1 schemas, the shared definitions of all of them gathered in `components.schemas`.
 * z.toJSONSchema writes a standalone document: a recursive schema (a tracking plan's nested properties) refers to
 * `#/$defs/…` of its own root, which inside an OpenAPI document is the document's root, where nothing is; every
 * OpenAPI tool (validators, client generators) stopped there. Its definitions move to `components.schemas`
 * under their ids, and the references with them. A `Date` a TypeScript caller may pass is no JSON: its `{}`
 * (any value) branch is dropped, where it made a date-or-string field take anything.
 */
export class OpenApiSchemas {
  readonly components: Record<string, Json> = {}

  of(schema: z.ZodType): Json {
    const json = z.toJSONSchema(schema, {
      unrepresentable: 'any',
      io: 'input',
      metadata: NAMES,
      override: (ctx) => {
        if (ctx.zodSchema._zod.def.type === 'date') ctx.jsonSchema[NO_DATE] = true
      },
    }) as Json
    delete json.$schema
    const defs = (json.$defs ?? {}) as Record<string, Json>
    delete json.$defs
    const renamed = new Map<string, string>()
    for (const id of Object.keys(defs)) renamed.set(id, this.nameFor(id, defs[id]!))
    const rewrite = (node: unknown): unknown => this.rewrite(node, renamed)
    for (const [id, def] of Object.entries(defs)) this.components[renamed.get(id)!] = rewrite(def) as Json
    return rewrite(json) as Json
  }

  /** A definition's id, kept where it is free or names the same definition; numbered otherwise. */
  private nameFor(id: string, def: Json): string {
    const base = id.replace(/[^A-Za-z0-9._-]/g, '_')
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}_${n}`
      const taken = this.components[name]
      if (!taken || JSON.stringify(taken) === JSON.stringify(def)) return name
    }
  }

  private rewrite(node: unknown, renamed: Map<string, string>): unknown {
    if (Array.isArray(node)) return node.map((n) => this.rewrite(n, renamed))
    if (!node || typeof node !== 'object') return node
    const out: Json = {}
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
        out.$ref = `#/components/schemas/${renamed.get(value.slice('#/$defs/'.length))}`
      } else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
        const kept = value.filter((v) => !(v as Json)?.[NO_DATE]).map((v) => this.rewrite(v, renamed))
        if (kept.length === 1) Object.assign(out, kept[0] as Json)
        else out[key] = kept
      } else if (key !== NO_DATE) {
        out[key] = this.rewrite(value, renamed)
      }
    }
    return out
  }
}
