import { TABLES } from '@touchpoint/clickhouse'
import { fieldExpr } from './fields'
import { QueryParams } from './params'
import { ALL_TIME, eventsWithPerson } from './people'
import type { Reader } from './reader'

/**
 * The latest value of each named trait of each person (identity resolved; null for a trait never sent, or last sent as
 * null), from every event of theirs that carries
 * traits. The events are found by the people's ids and the anonymous ids linked to them, which the ids' bloom-filter
 * indexes serve, before the identity join.
 */
export async function latestTraits(
  reader: Reader,
  project: string,
  people: string[],
  names: string[],
): Promise<((person: string) => Record<string, string | null>) | undefined> {
  if (!names.length) return undefined
  const found = new Map<string, Record<string, string | null>>()
  const none = Object.fromEntries(names.map((n) => [n, null]))
  const traitsOf = (person: string) => found.get(person) ?? none
  if (!people.length) return traitsOf
  const p = new QueryParams()
  const ids = p.add(people, 'Array(String)')
  const events = eventsWithPerson(
    p,
    {
      project,
      ...ALL_TIME,
      where: `e.traits NOT IN ('', '{}') AND (e.user_id IN ${ids} OR e.anonymous_id IN ${ids}
        OR e.anonymous_id IN (SELECT anonymous_id FROM ${TABLES.identities}
          WHERE project_id = ${p.add(project, 'String')} AND user_id IN ${ids}))`,
    },
    'e.traits AS traits, e.timestamp AS timestamp',
  )
  // a trait sent as null was cleared then (a customer who removed their phone number), as the profile reads it: the
  // latest value is null, not the one before. In a tuple, so that argMax keeps a null value rather than skip it
  const values = names.map((name) => {
    const key = p.add(name, 'String')
    const value = `if(JSONType(traits, ${key}) = 'Null', NULL, ${fieldExpr(`traits.${name}`, p)})`
    return `argMaxIf(tuple(${value}), timestamp, JSONHas(traits, ${key})).1`
  })
  const rows = await reader.rows(
    `SELECT person, [${values.join(', ')}] AS vals
    FROM (${events}) WHERE person IN ${ids} GROUP BY person`,
    p,
  )
  for (const r of rows) {
    const vals = r.vals as Array<string | null>
    found.set(String(r.person), Object.fromEntries(names.map((n, i) => [n, vals[i] ?? null])))
  }
  return traitsOf
}
