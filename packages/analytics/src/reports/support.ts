import { EVENT_NAMES } from '@touchpoint/schema'
import { QueryParams } from '../params'
import { historySql } from '../people'
import { num, type Reader } from '../reader'
import { type SupportRequest, supportRequest } from '../requests'
import { PERIOD_START, periodStarts } from '../zone'

export interface SupportFigures {
  /** tickets first opened in the range */
  opened: number
  /** tickets whose latest resolution fell in the range, whenever they were opened */
  resolved: number
  /** of the tickets opened in the range, the share resolved by `to` and not reopened since */
  resolutionRate: number
  /** tickets open at `to`: opened, or reopened, and not resolved since (opened in the range or before it) */
  openAtEnd: number
  /** time to resolution of the tickets resolved in the range: the resolution's `durationSeconds`, else opened → resolved */
  medianResolutionSeconds: number | null
  p90ResolutionSeconds: number | null
  /** people who opened a ticket in the range */
  customers: number
}

export interface SupportResult extends SupportFigures {
  by: 'channel' | 'priority' | 'category'
  /** customers who opened two tickets or more in the range */
  repeatCustomers: number
  /** the same figures by the `by` property of each ticket's first opening ('' when not sent), the most opened first */
  rows: Array<SupportFigures & { value: string }>
  /** with an interval: tickets opened and resolved in each period, every period of the range in order */
  series?: Array<{ start: string; opened: number; resolved: number; medianResolutionSeconds: number | null }>
}

/**
 * Support tickets (`Support Ticket Opened` and `Support Ticket Resolved`, by their `ticketId`): how many were opened
 * and resolved, how long resolving took, how many are still open, and who needed help, by channel, priority or
 * category. A ticket is every event with its id up to `to`, each event id once: opened at its first opening,
 * resolved at its latest resolution, open at `to` when an opening came after the latest resolution (a reopened
 * ticket). Its time to resolution is the helpdesk's own (`durationSeconds` of the latest resolution) where that
 * resolution sent it, else from its first opening to its latest resolution; a ticket resolved without an opening
 * on record, and without a duration sent, has none.
 */
export async function support(reader: Reader, input: SupportRequest): Promise<SupportResult> {
  const req = supportRequest.parse(input)
  const p = new QueryParams()
  const events = historySql(
    p,
    req,
    TICKET_EVENTS,
    'e.event_id AS event_id, e.event AS event, e.timestamp AS timestamp, e.properties AS properties',
  )
  const tickets = `tickets AS (${ticketsSql(p, `(${events})`, p.time(req.from), req.by)})`
  const figures = `countIf(opened_in) AS opened, countIf(opened_in AND was_resolved AND resolved_at >= last_open) AS closed,
      countIf(resolved_in) AS resolved, countIf(open_at_end) AS open_at_end,
      quantilesExactInclusiveIf(0.5, 0.9)(duration, resolved_in AND NOT isNaN(duration)) AS q,
      uniqExactIf(person, opened_in) AS customers`
  const rows = await reader.rows(
    `WITH ${tickets}
    SELECT grouping(value) AS is_total, value, ${figures}
    FROM tickets
    GROUP BY GROUPING SETS ((value), ())
    HAVING opened + resolved + open_at_end > 0 OR is_total = 1`,
    p,
  )
  const [repeat] = await reader.rows(
    `WITH ${tickets}
    SELECT countIf(n >= 2) AS customers FROM (SELECT person, count() AS n FROM tickets WHERE opened_in GROUP BY person)`,
    p,
  )
  const total = rows.find((r) => num(r.is_total) === 1)
  const result: SupportResult = {
    by: req.by,
    ...figuresOf(total),
    repeatCustomers: num(repeat?.customers),
    rows: rows
      .filter((r) => num(r.is_total) === 0)
      .map((r) => ({ value: String(r.value), ...figuresOf(r) }))
      .sort((a, b) => b.opened - a.opened || b.resolved - a.resolved || a.value.localeCompare(b.value)),
  }
  if (req.interval) {
    const period = (t: string) =>
      `toString(${PERIOD_START[req.interval!]}(${t}, ${p.add(req.timezone, 'String')}))`
    const byPeriod = await reader.rows(
      `WITH ${tickets}
      SELECT start, countIf(kind = 'opened') AS opened, countIf(kind = 'resolved') AS resolved,
        quantileExactInclusiveIf(0.5)(duration, kind = 'resolved' AND NOT isNaN(duration)) AS median
      FROM (
        SELECT ${period('opened_at')} AS start, 'opened' AS kind, duration FROM tickets WHERE opened_in
        UNION ALL
        SELECT ${period('resolved_at')} AS start, 'resolved' AS kind, duration FROM tickets WHERE resolved_in
      )
      GROUP BY start`,
      p,
    )
    const found = new Map(byPeriod.map((r) => [String(r.start), r]))
    result.series = periodStarts(req.from, req.to, req.interval, req.timezone).map((start) => {
      const r = found.get(start)
      return {
        start,
        opened: num(r?.opened),
        resolved: num(r?.resolved),
        medianResolutionSeconds: seconds(r?.median),
      }
    })
  }
  return result
}

/** The events a ticket is made of. */
export const TICKET_EVENTS = [EVENT_NAMES.supportTicketOpened, EVENT_NAMES.supportTicketResolved]

/**
 * One row per ticket of `source` (rows with person, event_id, event, timestamp and properties; each event id once
 * is taken here), as the support report defines them: when it was first opened, last opened and last resolved,
 * who opened it, its `by` property at the first opening (`value`), its time to resolution (`duration`, NaN where
 * unknown), and whether it was opened or resolved since `from` (SQL of a time) and is open at the end of `source`.
 */
export function ticketsSql(p: QueryParams, source: string, from: string, by = 'channel'): string {
  const isOpen = `event = ${p.add(EVENT_NAMES.supportTicketOpened, 'String')}`
  const isResolved = `event = ${p.add(EVENT_NAMES.supportTicketResolved, 'String')}`
  // the latest resolution's own durationSeconds, NaN where it sent none (or null)
  const sent = `ifNull(JSONExtract(properties, 'durationSeconds', 'Nullable(Float64)'), nan)`
  return `SELECT *, was_opened AND opened_at >= ${from} AS opened_in, was_resolved AND resolved_at >= ${from} AS resolved_in,
      was_opened AND (NOT was_resolved OR last_open > resolved_at) AS open_at_end,
      if(NOT isNaN(sent_duration), sent_duration,
        if(was_opened AND resolved_at >= opened_at, dateDiff('millisecond', opened_at, resolved_at) / 1000, nan)) AS duration
    FROM (
      SELECT JSONExtractString(properties, 'ticketId') AS ticket,
        countIf(${isOpen}) > 0 AS was_opened, minIf(timestamp, ${isOpen}) AS opened_at,
        maxIf(timestamp, ${isOpen}) AS last_open,
        countIf(${isResolved}) > 0 AS was_resolved, maxIf(timestamp, ${isResolved}) AS resolved_at,
        argMinIf(person, timestamp, ${isOpen}) AS person,
        argMinIf(JSONExtractString(properties, ${p.add(by, 'String')}), timestamp, ${isOpen}) AS value,
        argMaxIf(${sent}, timestamp, ${isResolved}) AS sent_duration
      FROM (SELECT * FROM ${source} LIMIT 1 BY event_id)
      GROUP BY ticket
      HAVING ticket != ''
    )`
}

/** A quantile's answer: null where there was nothing to take it of (ClickHouse gives NaN). */
const seconds = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)

function figuresOf(r: Record<string, unknown> | undefined): SupportFigures {
  const opened = num(r?.opened)
  const q = (r?.q as unknown[] | undefined) ?? []
  return {
    opened,
    resolved: num(r?.resolved),
    resolutionRate: opened > 0 ? num(r?.closed) / opened : 0,
    openAtEnd: num(r?.open_at_end),
    medianResolutionSeconds: seconds(q[0]),
    p90ResolutionSeconds: seconds(q[1]),
    customers: num(r?.customers),
  }
}
