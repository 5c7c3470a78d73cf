import { TABLES } from '@touchpoint/clickhouse'
import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import { type PropertiesRequest, propertiesRequest } from '../requests'

export interface PropertyRow {
  /** a top-level key of the events' `properties` */
  property: string
  /** events of the name that carry it (each event id once), and their share of all of them */
  events: number
  share: number
  /** the JSON types its values came as: String, Int64, UInt64, Double, Bool, Null, Array, Object */
  types: string[]
  /** a few of its values, as JSON */
  examples: string[]
}

export interface PropertiesResult {
  event: string
  /** events of the name in the range */
  events: number
  /** the properties, the most events first */
  properties: PropertyRow[]
}

/**
 * What an event carries: each top-level property of one event name's events in the range, with how many of them
 * have it, the JSON types its values came in, and a few of them. The check of an instrumentation: does every
 * `Order Completed` carry `revenue` and `currency`, and is `revenue` a number everywhere. Bots' events are left
 * out; a retried event counts once.
 */
export async function eventProperties(reader: Reader, input: PropertiesRequest): Promise<PropertiesResult> {
  const req = propertiesRequest.parse(input)
  const p = new QueryParams()
  const events = `SELECT event_id, any(properties) AS props
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(req.project, 'String')} AND timestamp >= ${p.time(req.from)}
      AND timestamp < ${p.time(req.to)} AND is_bot = 0 AND event = ${p.add(req.event, 'String')}
    GROUP BY event_id`
  const [rows, [count]] = await Promise.all([
    reader.rows(
      `SELECT kv.1 AS property, count() AS events, arraySort(groupUniqArray(toString(JSONType(kv.2)))) AS types,
        arraySort(groupUniqArray(${req.examples})(kv.2)) AS examples
      FROM (${events}) ARRAY JOIN JSONExtractKeysAndValuesRaw(props) AS kv
      GROUP BY property ORDER BY events DESC, property LIMIT 200`,
      p,
    ),
    reader.rows(`SELECT count() AS n FROM (${events})`, p),
  ])
  const total = num(count?.n)
  return {
    event: req.event,
    events: total,
    properties: rows.map((r) => ({
      property: String(r.property),
      events: num(r.events),
      share: total > 0 ? num(r.events) / total : 0,
      types: r.types as string[],
      examples: r.examples as string[],
    })),
  }
}
