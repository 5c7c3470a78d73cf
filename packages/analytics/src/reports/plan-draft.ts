import { TABLES } from '@touchpoint/clickhouse'
import type { PlanType, PropertyRuleInput, TrackingPlanInput } from '@touchpoint/schema'
import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import { type PlanDraftRequest, planDraftRequest } from '../requests'

export interface PlanDraftResult {
  /** a tracking plan drawn from the stored events: for a project's `trackingPlan`, to be read and edited first */
  trackingPlan: TrackingPlanInput
  /** what it was drawn from: the range's track events (of the names drafted) and identify calls, bots left out */
  drawnFrom: { events: number; identifies: number; names: number }
}

/** ClickHouse's JSONType of a value as the plan's type. */
const PLAN_TYPE: Record<string, PlanType> = {
  String: 'string',
  Int64: 'integer',
  UInt64: 'integer',
  Double: 'number',
  Bool: 'boolean',
  Null: 'null',
  Array: 'array',
  Object: 'object',
}

/** The types a property came as, for the plan: a whole number and a fraction both make `number`. */
function planTypes(jsonTypes: string[]): PlanType | PlanType[] | undefined {
  const types = new Set(jsonTypes.map((t) => PLAN_TYPE[t]).filter((t): t is PlanType => t !== undefined))
  if (types.has('number')) types.delete('integer')
  const list = [...types].sort()
  return list.length <= 1 ? list[0] : list
}

/**
 * A tracking plan drawn from what a project already sends: each track event name of the range (the most events
 * first) with the top-level properties its events carried, the types their values came as, and `required` for those
 * every one of its events carried; for a list, its `items`: their types, and for a list of objects, the fields they
 * carried (required when every item carried it); identify calls' traits with their types (never required: an
 * identify call often sends a few traits at a time). It reports violations rather than refusing them, and allows
 * unplanned events, so a plan made from it refuses nothing until it is edited. Bots' events are left out; a retried
 * event counts once.
 */
export async function planDraft(reader: Reader, input: PlanDraftRequest): Promise<PlanDraftResult> {
  const req = planDraftRequest.parse(input)
  const p = new QueryParams()
  const calls = (type: string, column: string) => `SELECT event_id, any(event) AS name, any(${column}) AS body
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(req.project, 'String')} AND timestamp >= ${p.time(req.from)}
      AND timestamp < ${p.time(req.to)} AND is_bot = 0 AND type = ${p.add(type, 'String')}
    GROUP BY event_id`
  const names = `SELECT name, count() AS n FROM (${calls('track', 'properties')})
    GROUP BY name ORDER BY n DESC, name LIMIT ${p.add(req.limit, 'UInt32')}`
  const fields = (from: string, where: string) => `SELECT name, kv.1 AS field, count() AS carried,
      arraySort(groupUniqArray(toString(JSONType(kv.2)))) AS types
    FROM (${from}) ARRAY JOIN JSONExtractKeysAndValuesRaw(body) AS kv
    WHERE ${where}
    GROUP BY name, field ORDER BY name, field LIMIT 100000`
  // the items of the lists among them, and the fields of the items that are objects
  const items = (group: string, join: string, columns: string) => `SELECT name, kv.1 AS field, ${columns}
    FROM (${calls('track', 'properties')})
    ARRAY JOIN JSONExtractKeysAndValuesRaw(body) AS kv ARRAY JOIN JSONExtractArrayRaw(kv.2) AS item ${join}
    WHERE name IN (SELECT name FROM (${names}))
    GROUP BY name, field${group} ORDER BY name, field${group} LIMIT 100000`
  const [named, properties, traits, [identifies], lists, itemFields] = await Promise.all([
    reader.rows(names, p),
    reader.rows(fields(calls('track', 'properties'), `name IN (SELECT name FROM (${names}))`), p),
    reader.rows(fields(calls('identify', 'traits'), '1'), p),
    reader.rows(`SELECT count() AS n FROM (${calls('identify', 'traits')})`, p),
    reader.rows(
      items(
        '',
        '',
        `countIf(JSONType(item) = 'Object') AS objects,
        arraySort(groupUniqArray(toString(JSONType(item)))) AS types`,
      ),
      p,
    ),
    reader.rows(
      items(
        ', sub',
        'ARRAY JOIN JSONExtractKeysAndValuesRaw(item) AS kv2',
        `kv2.1 AS sub, count() AS carried, arraySort(groupUniqArray(toString(JSONType(kv2.2)))) AS types`,
      ),
      p,
    ),
  ])
  const counts = new Map(named.map((r) => [String(r.name), num(r.n)]))
  const events: NonNullable<TrackingPlanInput['events']> = {}
  for (const [name, n] of counts)
    events[name] = {
      description: `seen ${n === 1 ? 'once' : `${n} times`} in the range the draft was made from`,
      properties: {},
    }
  for (const r of properties) {
    const event = events[String(r.name)]
    if (!event?.properties) continue
    const total = counts.get(String(r.name)) ?? 0
    event.properties[String(r.field)] = {
      type: planTypes(r.types as string[]),
      ...(num(r.carried) === total && { required: true }),
    }
  }
  const key = (r: Record<string, unknown>) => `${String(r.name)}\0${String(r.field)}`
  const objectsIn = new Map(lists.map((r) => [key(r), num(r.objects)]))
  const fieldsIn = new Map<string, Record<string, PropertyRuleInput>>()
  for (const f of itemFields) {
    const fields = fieldsIn.get(key(f)) ?? {}
    fields[String(f.sub)] = {
      type: planTypes(f.types as string[]),
      ...(num(f.carried) === objectsIn.get(key(f)) && { required: true }),
    }
    fieldsIn.set(key(f), fields)
  }
  const itemRules = new Map<string, PropertyRuleInput>(
    lists.map((r) => [
      key(r),
      {
        type: planTypes(r.types as string[]),
        ...(num(r.objects) > 0 && { properties: fieldsIn.get(key(r)) ?? {} }),
      },
    ]),
  )
  for (const [name, event] of Object.entries(events))
    for (const [field, rule] of Object.entries(event.properties ?? {})) {
      const items = itemRules.get(`${name}\0${field}`)
      if (items) rule.items = items
    }
  const traitRules = Object.fromEntries(
    traits.map((r) => [String(r.field), { type: planTypes(r.types as string[]) }]),
  )
  return {
    trackingPlan: {
      events,
      ...(traits.length && { traits: traitRules }),
      allowUnplannedEvents: true,
      violations: 'report',
    },
    drawnFrom: {
      events: [...counts.values()].reduce((a, b) => a + b, 0),
      identifies: num(identifies?.n),
      names: counts.size,
    },
  }
}
