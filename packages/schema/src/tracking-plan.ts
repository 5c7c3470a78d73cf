import { z } from 'zod'
import { EVENT_NAMES } from './event-names'
import type { IncomingEvent } from './events'
import { isPlainObject } from './json'
import type { FieldIssue } from './validate'

/**
 * A project's tracking plan: the events it expects, and what each one's properties (and identify calls' traits)
 * must be. An event that breaks it is noted (`violations: "report"`, the default: the event is stored and the
 * violation kept beside the refused calls, so a plan can be rolled out without losing data) or refused, like a
 * call that fails validation (`"refuse"`). A property that holds an object names its own `properties` (and
 * `additionalProperties`), one that holds a list its `items`, as JSON Schema does: an order's lines, for one.
 */

export const PLAN_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const
export type PlanType = (typeof PLAN_TYPES)[number]

const validPattern = (p: string) => {
  try {
    new RegExp(p)
    return true
  } catch {
    return false
  }
}

/** A property's rule as written: the fields below, and for an object or a list, the rules of what is inside. */
export interface PropertyRuleInput {
  type?: PlanType | PlanType[] | undefined
  required?: boolean | undefined
  enum?: Array<string | number | boolean> | undefined
  pattern?: string | undefined
  minimum?: number | undefined
  maximum?: number | undefined
  properties?: Record<string, PropertyRuleInput> | undefined
  additionalProperties?: boolean | undefined
  items?: PropertyRuleInput | undefined
}

/** One property's rule; it refers to itself for an object's properties and a list's items. */
export const propertyRule: z.ZodType<PropertyRuleInput, PropertyRuleInput> = z
  .strictObject({
    /** the JSON type, or the types, its value may have; `integer` is a whole number */
    type: z.union([z.enum(PLAN_TYPES), z.array(z.enum(PLAN_TYPES)).min(1)]).optional(),
    required: z.boolean().default(false),
    /** the values it may take */
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    /**
     * a regular expression a string value must match (JavaScript's, without flags); the collector runs it on V8's
     * linear-time engine, which refuses backreferences and lookarounds (docs/tracking-plan.md)
     */
    pattern: z.string().max(1000).refine(validPattern, { error: 'a regular expression' }).optional(),
    /** bounds of a number value */
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    /** for an object value: its properties' rules, and whether it may hold others (true, by default) */
    get properties() {
      return z.record(z.string().min(1).max(255), propertyRule).optional()
    },
    additionalProperties: z.boolean().optional(),
    /** for a list value: the rule each of its items keeps to */
    get items() {
      return propertyRule.optional()
    },
  })
  .refine((r) => r.minimum === undefined || r.maximum === undefined || r.minimum <= r.maximum, {
    error: 'minimum is above maximum',
    path: ['minimum'],
  })

const fields = z.record(z.string().min(1).max(255), propertyRule)

const eventRule = z.strictObject({
  description: z.string().max(2000).optional(),
  properties: fields.default({}),
  /** whether properties the plan does not name are allowed (true, as JSON Schema's default) or a violation */
  additionalProperties: z.boolean().default(true),
})

export const trackingPlan = z.strictObject({
  /** the track events the project expects, by name */
  events: z.record(z.string().min(1).max(200), eventRule).default({}),
  /** what identify calls' traits must be */
  traits: fields.optional(),
  /**
   * Whether a track event the plan does not name is allowed (true, the default) or a violation. Touchpoint's own
   * events (tp.js's automatic ones, the email and customer events of docs/events.md) always count as planned.
   */
  allowUnplannedEvents: z.boolean().default(true),
  /** what a violation does: the event is stored and the violation noted ("report"), or the event is refused */
  violations: z.enum(['report', 'refuse']).default('report'),
})

export type TrackingPlan = z.output<typeof trackingPlan>

/**
 * The codes events_rejected keeps a violation under: an event the plan refused (the 400's code), and one stored
 * with its violation noted (`violations: "report"`; the event itself is in `events`).
 */
export const PLAN_CODES = { refused: 'TP_ERR_TRACKING_PLAN', stored: 'TP_PLAN_VIOLATION' } as const
export type TrackingPlanInput = z.input<typeof trackingPlan>
type PropertyRule = PropertyRuleInput

/** The events Touchpoint itself defines, which a plan never calls unplanned. */
const OWN_EVENTS: ReadonlySet<string> = new Set([
  ...Object.values(EVENT_NAMES),
  'Outbound Link Clicked',
  'File Downloaded',
])

/** The JSON type of a value, `integer` for a whole number (which is also a `number`). */
export function jsonTypeOf(value: unknown): PlanType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as PlanType
  return 'object'
}

const typeMatches = (types: readonly PlanType[], actual: PlanType) =>
  types.includes(actual) || (actual === 'integer' && types.includes('number'))

const shown = (v: string | number | boolean) => (typeof v === 'string' ? JSON.stringify(v) : String(v))

interface CompiledField {
  name: string
  rule: PropertyRule
  types: readonly PlanType[] | undefined
  pattern: RegExp | undefined
  /** an object value's fields, and whether it may hold others */
  fields: CompiledField[] | undefined
  closed: boolean
  /** the rule of a list value's items */
  items: CompiledField | undefined
}

const compileField = (name: string, rule: PropertyRule, compile: PatternCompiler): CompiledField => ({
  name,
  rule,
  types: rule.type === undefined ? undefined : typeof rule.type === 'string' ? [rule.type] : rule.type,
  pattern: rule.pattern === undefined ? undefined : compile(rule.pattern),
  fields:
    rule.properties || rule.additionalProperties === false
      ? compileFields(rule.properties ?? {}, compile)
      : undefined,
  closed: rule.additionalProperties === false,
  items: rule.items ? compileField('', rule.items, compile) : undefined,
})

const compileFields = (rules: Record<string, PropertyRule>, compile: PatternCompiler): CompiledField[] =>
  Object.entries(rules).map(([name, rule]) => compileField(name, rule, compile))

/** How many issues a list's items may add: a line of 500 that all break the plan the same way says it once. */
const MAX_ITEM_ISSUES = 10

/** The issues of one field's value against its rule, `path` being where the field is (`properties.plan`). */
function fieldIssues(f: CompiledField, value: unknown, path: string, out: FieldIssue[]) {
  const { rule } = f
  if (value === undefined) {
    if (rule.required)
      out.push({
        path,
        message: `is required by the tracking plan${f.types ? ` (${f.types.join(' or ')})` : ''}`,
      })
    return
  }
  const actual = jsonTypeOf(value)
  if (f.types && !typeMatches(f.types, actual)) {
    out.push({ path, message: `must be ${f.types.join(' or ')} by the tracking plan, not ${actual}` })
    return
  }
  if (rule.enum && !rule.enum.some((v) => v === value))
    out.push({ path, message: `must be one of ${rule.enum.map(shown).join(', ')} by the tracking plan` })
  if (f.pattern && typeof value === 'string' && !f.pattern.test(value))
    out.push({ path, message: `must match /${rule.pattern}/ by the tracking plan` })
  if (typeof value === 'number') {
    if (rule.minimum !== undefined && value < rule.minimum)
      out.push({ path, message: `must be at least ${rule.minimum} by the tracking plan` })
    if (rule.maximum !== undefined && value > rule.maximum)
      out.push({ path, message: `must be at most ${rule.maximum} by the tracking plan` })
  }
  if (f.fields && isPlainObject(value)) objectIssues(f.fields, value, path, f.closed ? path : undefined, out)
  if (f.items && Array.isArray(value)) {
    const before = out.length
    for (let i = 0; i < value.length && out.length - before < MAX_ITEM_ISSUES; i++)
      fieldIssues(f.items, value[i], `${path}[${i}]`, out)
  }
}

/**
 * The issues of an object's fields, each at `where.name`; with `closedFor` (what the message names: an event, or
 * the path of a nested object), a field no rule names is one too.
 */
function objectIssues(
  rules: CompiledField[],
  values: Record<string, unknown> | undefined,
  where: string,
  closedFor: string | undefined,
  out: FieldIssue[],
) {
  const object = values ?? {}
  for (const f of rules) fieldIssues(f, object[f.name], `${where}.${f.name}`, out)
  if (closedFor === undefined) return
  const named = new Set(rules.map((f) => f.name))
  for (const key of Object.keys(object))
    if (!named.has(key))
      out.push({
        path: `${where}.${key}`,
        message: `is not in the tracking plan of ${JSON.stringify(closedFor)}`,
      })
}

/** How a plan's patterns are compiled: the collector gives a linear-time engine's (analytics' linearRegExp). */
export type PatternCompiler = (pattern: string) => RegExp

/** A plan made ready to check events against: its patterns compiled once, not for every event. */
export interface PlanChecker {
  readonly plan: TrackingPlan
  /** What of the event breaks the plan (none for a call it has nothing to say about). */
  issues(event: IncomingEvent): FieldIssue[]
}

/**
 * `compile` makes each pattern's RegExp; JavaScript's own engine by default, which backtracks: a pattern such as
 * `^([a-z]+\.)+$` can take exponential time on a crafted value, so code that checks what anybody may send gives
 * a linear-time one.
 */
export function compilePlan(
  plan: TrackingPlan,
  compile: PatternCompiler = (p) => new RegExp(p),
): PlanChecker {
  const events = new Map(
    Object.entries(plan.events).map(([name, rule]) => [
      name,
      { fields: compileFields(rule.properties, compile), closed: !rule.additionalProperties },
    ]),
  )
  const traits = plan.traits ? compileFields(plan.traits, compile) : undefined
  return {
    plan,
    issues(event) {
      const out: FieldIssue[] = []
      if (event.type === 'track') {
        const rule = events.get(event.event)
        if (rule)
          objectIssues(
            rule.fields,
            event.properties,
            'properties',
            rule.closed ? event.event : undefined,
            out,
          )
        else if (!plan.allowUnplannedEvents && !OWN_EVENTS.has(event.event))
          out.push({ path: 'event', message: `${JSON.stringify(event.event)} is not in the tracking plan` })
      } else if (event.type === 'identify' && traits) {
        objectIssues(traits, event.traits, 'traits', undefined, out)
      }
      return out
    },
  }
}
