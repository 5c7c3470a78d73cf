import { TABLES } from '@touchpoint/clickhouse'
import { compilePlan, type IncomingEvent } from '@touchpoint/schema'
import { linearRegExp } from '../linear-regexp'
import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import { type PlanCheckRequest, planCheckRequest } from '../requests'

export interface PlanCheckRow {
  /** the track event's name, or `(identify)` for an identify call's traits */
  event: string
  /** the field the plan named (`properties.plan`), or `event` for an unplanned event */
  field: string
  /** the calls checked that break the plan there */
  events: number
  /** what the plan says of the first of them */
  message: string
}

export interface PlanCheckResult {
  /** the track and identify calls checked: the latest `limit` of the range, each event id once, bots left out */
  checked: number
  /** of them, those that break the plan: what it would have refused with `violations: "refuse"` */
  breaking: number
  /** by event and field, the most first (at most 200) */
  rows: PlanCheckRow[]
}

const MAX_ROWS = 200

/** A stored JSON object column's value; an empty object for one that is not (a row written by hand). */
function objectOf(json: unknown): Record<string, unknown> {
  try {
    const v = JSON.parse(String(json || '{}'))
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {}
  } catch {
    return {}
  }
}

/**
 * A tracking plan tried on the events already stored, before it is put in the projects file or set to refuse:
 * the range's latest track and identify calls (as the collector stored them) checked against it as the collector
 * would check them on arrival, and what breaks it, by event and field. Nothing is changed. A call's properties
 * and traits are read as stored, so what the collector redacted on arrival (an email address in a URL) is checked
 * redacted.
 */
export async function planCheck(reader: Reader, input: PlanCheckRequest): Promise<PlanCheckResult> {
  const req = planCheckRequest.parse(input)
  const checker = compilePlan(req.plan, linearRegExp)
  const p = new QueryParams()
  const rows = await reader.rows(
    `SELECT any(e.type) AS call, any(e.event) AS name, any(e.properties) AS props, any(e.traits) AS traits_json,
      max(e.timestamp) AS at
    FROM ${TABLES.events} AS e
    WHERE e.project_id = ${p.add(req.project, 'String')} AND e.timestamp >= ${p.time(req.from)}
      AND e.timestamp < ${p.time(req.to)} AND e.is_bot = 0 AND e.type IN ('track', 'identify')
    GROUP BY e.event_id
    ORDER BY at DESC
    LIMIT ${p.add(req.limit, 'UInt32')}`,
    p,
  )
  const found = new Map<string, PlanCheckRow>()
  let breaking = 0
  for (const r of rows) {
    const identify = r.call === 'identify'
    const call = (
      identify
        ? { type: 'identify', traits: objectOf(r.traits_json) }
        : { type: 'track', event: String(r.name), properties: objectOf(r.props) }
    ) as IncomingEvent
    const issues = checker.issues(call)
    if (issues.length) breaking++
    const event = identify ? '(identify)' : String(r.name)
    const seen = new Set<string>()
    for (const issue of issues) {
      // a list's items as one field, and an event once under it however many of its items break the plan
      const field = issue.path.replace(/\[\d+\]/g, '[]')
      const key = `${event}\0${field}`
      if (seen.has(key)) continue
      seen.add(key)
      const row = found.get(key)
      if (row) row.events++
      else found.set(key, { event, field, events: 1, message: issue.message })
    }
  }
  const sorted = [...found.values()].sort(
    (a, b) => b.events - a.events || a.event.localeCompare(b.event) || a.field.localeCompare(b.field),
  )
  return { checked: num(rows.length), breaking, rows: sorted.slice(0, MAX_ROWS) }
}
