import { TABLES } from '@touchpoint/clickhouse'
import { PLAN_CODES } from '@touchpoint/schema'
import { QueryParams } from '../params'
import { num, type Reader, utcTime } from '../reader'
import { type PlanRequest, planRequest } from '../requests'

export interface PlanViolationRow {
  /** the track event's name, or `(identify)` for an identify call's traits */
  event: string
  /** the field the plan named (`properties.plan`, `traits.email`), or `event` for an unplanned event */
  field: string
  /** events stored with this violation noted (`violations: "report"`) */
  stored: number
  /** events refused for it (`violations: "refuse"`) */
  refused: number
  /** the latest such violation's message */
  message: string
  lastSeen: string
}

export interface PlanResult {
  /** the most violations first, at most `limit` */
  rows: PlanViolationRow[]
  /** every event of the range that broke the plan once, however many fields it broke */
  total: { stored: number; refused: number; rows: number }
}

/**
 * How the events keep to the project's tracking plan: the violations the collector kept in events_rejected in the
 * range, by event and field (a list's items as one: `properties.products[].price`), counting the events stored with
 * a violation noted apart from those refused. A retried event's violation is kept once (its id is of the event's
 * messageId), and counts once. The check before a plan goes from "report" to "refuse": what would be refused, and
 * which sender to fix first.
 */
export async function plan(reader: Reader, input: PlanRequest): Promise<PlanResult> {
  const req = planRequest.parse(input)
  const p = new QueryParams()
  const stored = p.add(PLAN_CODES.stored, 'String')
  const where = `project_id = ${p.add(req.project, 'String')}
      AND received_at >= ${p.time(req.from)} AND received_at < ${p.time(req.to)}
      AND error_code IN (${stored}, ${p.add(PLAN_CODES.refused, 'String')})`
  const issues = `SELECT rejected_id, received_at, error_code = ${stored} AS kept, raw,
      arrayJoin(JSONExtractArrayRaw(reason)) AS issue,
      replaceRegexpAll(JSONExtractString(issue, 'path'), '[[][0-9]+[]]', '[]') AS field
    FROM ${TABLES.rejected} WHERE ${where}`
  // the rows and the total from one read, so that they agree while violations are being loaded: the empty grouping
  // set is every event once (`is_total`), and `keys` counts the rows before the LIMIT
  const all = await reader.rows(
    `SELECT grouping(event) AS is_total,
      if(startsWith(field, 'traits.'), '(identify)', JSONExtractString(raw, 'event')) AS event, field,
      uniqExactIf(rejected_id, kept) AS stored, uniqExactIf(rejected_id, NOT kept) AS refused,
      argMax(JSONExtractString(issue, 'message'), received_at) AS message, max(received_at) AS last_seen,
      count() OVER () - 1 AS keys
    FROM (${issues})
    GROUP BY GROUPING SETS ((event, field), ())
    ORDER BY is_total DESC, stored + refused DESC, event, field
    LIMIT ${p.add(req.limit + 1, 'UInt32')}`,
    p,
  )
  const total = all.find((r) => num(r.is_total) === 1)
  const rows = all.filter((r) => num(r.is_total) === 0)
  return {
    rows: rows.map((r) => ({
      event: String(r.event),
      field: String(r.field),
      stored: num(r.stored),
      refused: num(r.refused),
      message: String(r.message),
      lastSeen: utcTime(r.last_seen),
    })),
    total: { stored: num(total?.stored), refused: num(total?.refused), rows: num(total?.keys) },
  }
}
