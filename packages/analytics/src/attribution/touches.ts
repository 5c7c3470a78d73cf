import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { EVENT_COLUMNS } from '../columns'
import { eventRevenueSql } from '../currencies'
import { type EventMatch, matchExpr } from '../fields'
import type { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql, withPersonSql } from '../people'
import { keptRevenueSql, ORDER_ID } from '../reports/refunds'
import type { Exchange } from '../requests'

export type AttributionKey = 'channel' | 'source' | 'medium' | 'campaign'

/** What a conversion with no touchpoint, or a Direct touch, is credited to under each key. */
export const DIRECT_KEY: Record<AttributionKey, string> = {
  channel: 'Direct',
  source: '(direct)',
  medium: '(none)',
  campaign: '(none)',
}

/** The key of a touch, from its first event's columns (ch, src, med, camp, ref); the traffic report's too. */
export const KEY_EXPR: Record<AttributionKey, string> = {
  channel: `if(ch = '', 'Direct', ch)`,
  source: `multiIf(src != '', src, ref != '', ref, '(direct)')`,
  medium: `multiIf(med != '', med, ref != '', 'referral', '(none)')`,
  campaign: `if(camp != '', camp, '(none)')`,
}

/** Sessions are reconstructed from events up to this long before the lookback starts. */
const SESSION_SLACK_MS = 86_400_000

export interface TouchQuery {
  project: string
  from: Date
  to: Date
  lookbackMs: number
  conversion: EventMatch
  by: AttributionKey
  /** converts the conversions' revenue into one currency (request-parts.ts) */
  exchange?: Exchange | undefined
  /** each conversion's revenue less what was refunded of its order (by `orderId`) up to now */
  netOfRefunds?: boolean | undefined
}

/**
 * The CTEs every attribution query starts from:
 * - `touches`: one row per session part of a person and per email click that was not a scanner's, with its
 *   start time, key, whether it is Direct, and `session`: the session's id hash, or for a click a hash of its
 *   event id. A session's touch is its first part (key from the session's first event), so readers keep the
 *   first row of each `session` of a person in time order, of rows at the same time a Direct one last
 *   (`firstOfEachSession`, after the sort in credits-sql.ts), and only then look at times:
 *   a session that began before the lookback is no touch, even when a later part of it falls inside. A click
 *   stored twice (a retry not yet merged away) is one touch.
 * - `conv`: one row per conversion event id in [from, to), with its person, time and revenue (with
 *   `netOfRefunds`, what its order kept: refunds made since, by `orderId`, taken off, down to 0).
 * The session parts come from `session_parts` (migration 5), which keeps each part's first event as events
 * arrive: one row per session, UTC day, device and user id, or a few while ClickHouse has not merged them yet,
 * which the first-of-each-session pick makes harmless. Grouping the range's events into parts on every query
 * instead took the whole query on the bench's 10M events 3.0 s against 1.7 s (docs/performance.md). Only
 * the parts' rows meet the identity join, on the ids' stored 64-bit hashes, as people are joined (see
 * eventsWithPerson). The parts of a session are not grouped again by person and session here: picking the
 * first of each session among a person's touches, which the people stage sorts anyway, gave the same credits
 * on the bench's 10M events, and the whole query took 3.3 s against 3.9 s (medians of 5 runs, alternating).
 */
export function touchCtes(p: QueryParams, q: TouchQuery): string {
  const scope = {
    project: q.project,
    from: new Date(q.from.getTime() - q.lookbackMs - SESSION_SLACK_MS),
    to: q.to,
  }
  const project = p.add(q.project, 'String')
  const [from, to] = [p.time(scope.from), p.time(scope.to)]
  // first.1 … first.6: the part's first event's FIRST_EVENT_COLUMNS (migration 5)
  const parts = `SELECT anonymous_id_hash, user_id_hash, session_id_hash AS session, first.1 AS first_at,
      first.2 AS ch, first.3 AS src, first.4 AS med, first.5 AS camp, first.6 AS ref
    FROM ${TABLES.sessionParts}
    WHERE project_id = ${project} AND day >= toDate(${from}) AND day <= toDate(${to})
      AND first.1 >= ${from} AND first.1 < ${to}`
  // person (a 64-bit hash) is only joined and grouped by, never shown; the columns in the touches' order
  const partsOfPeople = withPersonSql(
    p,
    q.project,
    parts,
    'e.first_at AS start_at, e.ch, e.src, e.med, e.camp, e.ref, e.session',
  )
  const clicks = eventsWithPerson(
    p,
    { ...scope, where: `e.event = ${p.add(EVENT_NAMES.emailClicked, 'String')}` },
    EVENT_COLUMNS,
    true,
  )
  const conversions = eventsWithPerson(
    p,
    { project: q.project, from: q.from, to: q.to, where: matchExpr(q.conversion, p) },
    EVENT_COLUMNS,
    true,
  )
  const key = KEY_EXPR[q.by]
  return `touches AS (
      SELECT person, start_at, ${key} AS key, ch IN ('', 'Direct') AS direct, session
      FROM (
        ${partsOfPeople}
        UNION ALL
        SELECT person, timestamp AS start_at, 'Email' AS ch, if(utm_source = '', 'email', utm_source) AS src,
          'email' AS med, utm_campaign AS camp, '' AS ref, cityHash64('email click', event_id) AS session
        FROM (${clicks})
        WHERE JSONExtractBool(properties, 'scanner') = 0
      )
    ),
    conv AS (${q.netOfRefunds ? keptSql(p, q, conversions) : onePerEventSql(`(${conversions})`, '', '', eventRevenueSql(p, q.exchange))})`
}

/** The conversions with what their orders kept (keptRevenueSql). */
function keptSql(p: QueryParams, q: TouchQuery, conversions: string): string {
  const rows = onePerEventSql(`(${conversions})`, '', ORDER_ID, eventRevenueSql(p, q.exchange))
  return keptRevenueSql(p, q, rows, 'c.event_id AS event_id, c.person AS person, c.at AS at')
}

/**
 * Of an array of touches sorted by time, each a tuple whose fourth element is its `session`, the first of each
 * session: arrayEnumerateUniq counts each value's occurrences so far, so 1 marks the first.
 */
export const firstOfEachSession = (sorted: string) =>
  `arrayFilter((x, seen) -> seen = 1, ${sorted}, arrayEnumerateUniq(arrayMap(x -> x.4, ${sorted})))`
