import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { EVENT_COLUMNS } from '../columns'
import { type EventMatch, matchExpr } from '../fields'
import type { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql, withPersonSql } from '../people'

export type AttributionKey = 'channel' | 'source' | 'medium' | 'campaign'

/** What a conversion with no touchpoint, or a Direct touch, is credited to under each key. */
export const DIRECT_KEY: Record<AttributionKey, string> = {
  channel: 'Direct',
  source: '(direct)',
  medium: '(none)',
  campaign: '(none)',
}

/** The key of a touch, from its first event's columns (ch, src, med, camp, ref). */
const KEY_EXPR: Record<AttributionKey, string> = {
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
}

/**
 * The CTEs every attribution query starts from:
 * - `touches`: one row per session part of a person and per email click that was not a scanner's, with its
 *   start time, key, whether it is Direct, and `session`: the session's id hash, or for a click a hash of its
 *   event id. A session's touch is its first part (key from the session's first event), so readers keep the
 *   first row of each `session` of a person in time order (`firstOfEachSession`), and only then look at times:
 *   a session that began before the lookback is no touch, even when a later part of it falls inside. A click
 *   stored twice (a retry not yet merged away) is one touch.
 * - `conv`: one row per conversion event id in [from, to), with its person, time and revenue.
 * Sessions are first summed up per device, user id and session (a few rows per session instead of one per
 * event), and only those rows meet the identity join. Both groupings are by 64-bit hashes of the ids, as people
 * are (see eventsWithPerson): grouping 10M events by three strings took 1.2 s, by their hash 0.7 s. The hashes
 * are the ones stored with each event (migration 4), so the 10M rows' id strings are never read: the whole
 * query read 3.4 and 4.0 s against 4.7 and 4.3 s hashing the strings as it went. The parts of a session are
 * not grouped again by person and session here: picking the first of each session among a person's touches,
 * which the people stage sorts anyway, gave the same credits on the bench's 10M events, and the whole query
 * took 3.3 s against 3.9 s (medians of 5 runs, alternating; docs/performance.md).
 */
export function touchCtes(p: QueryParams, q: TouchQuery): string {
  const scope = {
    project: q.project,
    from: new Date(q.from.getTime() - q.lookbackMs - SESSION_SLACK_MS),
    to: q.to,
  }
  const project = p.add(q.project, 'String')
  // The aggregates take the ids' names, so the table's own columns are qualified wherever both could be meant.
  const ev = TABLES.events
  const parts = `SELECT any(${ev}.anonymous_id_hash) AS anonymous_id_hash, any(${ev}.user_id_hash) AS user_id_hash,
      any(${ev}.session_id_hash) AS session, min(timestamp) AS first_at,
      argMin(channel, timestamp) AS ch, argMin(utm_source, timestamp) AS src, argMin(utm_medium, timestamp) AS med,
      argMin(utm_campaign, timestamp) AS camp, argMin(referrer_host, timestamp) AS ref
    FROM ${ev}
    WHERE project_id = ${project} AND timestamp >= ${p.time(scope.from)} AND timestamp < ${p.time(scope.to)}
      AND is_bot = 0 AND ${ev}.session_id_hash != 0
    GROUP BY cityHash64(${ev}.anonymous_id_hash, ${ev}.user_id_hash, ${ev}.session_id_hash)`
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
    conv AS (${onePerEventSql(`(${conversions})`)})`
}

/**
 * Of an array of touches sorted by time, each a tuple whose fourth element is its `session`, the first of each
 * session: arrayEnumerateUniq counts each value's occurrences so far, so 1 marks the first.
 */
export const firstOfEachSession = (sorted: string) =>
  `arrayFilter((x, seen) -> seen = 1, ${sorted}, arrayEnumerateUniq(arrayMap(x -> x.4, ${sorted})))`
