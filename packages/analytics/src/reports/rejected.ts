import { TABLES } from '@touchpoint/clickhouse'
import { PLAN_CODES } from '@touchpoint/schema'
import { QueryParams } from '../params'
import { num, type Reader, utcTime } from '../reader'
import { type RejectedRequest, rejectedRequest } from '../requests'

export interface RejectedReasonRow {
  /** the error code the call was refused with (docs/errors.md) */
  code: string
  /** the field an issue named ('' for the whole body: one that did not parse, or that was no object) */
  field: string
  /** the calls refused with an issue of that code and field (each refusal once) */
  refused: number
  /** the latest such issue's message */
  message: string
  /** where they came from (browser, server, import, email) and the routes they were sent to, at most 5 */
  sources: string[]
  routes: string[]
  lastSeen: string
}

export interface RejectedResult {
  /** the most refused first, at most `limit` */
  rows: RejectedReasonRow[]
  /** every refused call of the range once, however many issues it had */
  total: { refused: number; rows: number }
}

/**
 * What the collector refused, and why: the calls kept in events_rejected in the range (by the time they were
 * received), by error code and the field each issue named, with how many, the latest message, and when last
 * seen. The check after adding a tag or an integration, beside the events report: a misspelt field, a revenue
 * sent as text, a forged email link. A call with issues on two fields counts in both rows and once in the total; a
 * refusal stored twice (replayed after a crash, before ClickHouse merged it away) counts once.
 */
export async function rejected(reader: Reader, input: RejectedRequest): Promise<RejectedResult> {
  const req = rejectedRequest.parse(input)
  const p = new QueryParams()
  // an event stored with its violation of the tracking plan noted was not refused (the plan report reads it)
  const where = `project_id = ${p.add(req.project, 'String')}
      AND received_at >= ${p.time(req.from)} AND received_at < ${p.time(req.to)}
      AND error_code != ${p.add(PLAN_CODES.stored, 'String')}`
  // each refusal's issues, one row each (a reason that is no list of issues stands as one issue of the body)
  const issues = `SELECT rejected_id, received_at, source, route, error_code,
      arrayJoin(if(empty(JSONExtractArrayRaw(reason)), [''], JSONExtractArrayRaw(reason))) AS issue
    FROM ${TABLES.rejected} WHERE ${where}`
  // the reasons and the total from one read, so that they agree while refusals are being loaded: the empty grouping
  // set is every refusal once (`is_total`), and `keys` counts the reasons' rows before the LIMIT
  const all = await reader.rows(
    `SELECT grouping(code) AS is_total, error_code AS code, JSONExtractString(issue, 'path') AS field,
      uniqExact(rejected_id) AS refused, argMax(JSONExtractString(issue, 'message'), received_at) AS message,
      arraySort(groupUniqArray(source)) AS sources, arraySort(groupUniqArray(5)(route)) AS routes,
      max(received_at) AS last_seen, count() OVER () - 1 AS keys
    FROM (${issues})
    GROUP BY GROUPING SETS ((code, field), ())
    ORDER BY is_total DESC, refused DESC, code, field
    LIMIT ${p.add(req.limit + 1, 'UInt32')}`,
    p,
  )
  const total = all.find((r) => num(r.is_total) === 1)
  const rows = all.filter((r) => num(r.is_total) === 0)
  return {
    rows: rows.map((r) => ({
      code: String(r.code),
      field: String(r.field),
      refused: num(r.refused),
      message: String(r.message),
      sources: r.sources as string[],
      routes: r.routes as string[],
      lastSeen: utcTime(r.last_seen),
    })),
    total: { refused: num(total?.refused), rows: num(total?.keys) },
  }
}
