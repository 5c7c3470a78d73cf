import { EVENT_NAMES } from '@touchpoint/schema'
import { EVENT_COLUMNS } from '../columns'
import { type EventMatch, matchExpr } from '../fields'
import type { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql } from '../people'

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
 * - `touches`: one row per touchpoint: each session of a person (key from the session's first event) and each
 *   email click that was not a scanner's, with its start time, key and whether it is Direct;
 * - `conv`: one row per conversion event id in [from, to), with its person, time and revenue.
 */
export function touchCtes(p: QueryParams, q: TouchQuery): string {
  const base = eventsWithPerson(
    p,
    { project: q.project, from: new Date(q.from.getTime() - q.lookbackMs - SESSION_SLACK_MS), to: q.to },
    EVENT_COLUMNS,
    // person (a 64-bit hash) is only joined and grouped by, never shown
    true,
  )
  const clicked = p.add(EVENT_NAMES.emailClicked, 'String')
  const from = p.time(q.from)
  const lookbackStart = p.time(new Date(q.from.getTime() - q.lookbackMs))
  const key = KEY_EXPR[q.by]
  return `base AS (${base}),
    touches AS (
      SELECT person, start_at, ${key} AS key, ch IN ('', 'Direct') AS direct
      FROM (
        SELECT person, min(timestamp) AS start_at, argMin(channel, timestamp) AS ch,
          argMin(utm_source, timestamp) AS src, argMin(utm_medium, timestamp) AS med,
          argMin(utm_campaign, timestamp) AS camp, argMin(referrer_host, timestamp) AS ref
        FROM base
        WHERE session_id != ''
        GROUP BY person, session_id
        UNION ALL
        SELECT person, timestamp AS start_at, 'Email' AS ch, if(utm_source = '', 'email', utm_source) AS src,
          'email' AS med, utm_campaign AS camp, '' AS ref
        FROM base
        WHERE event = ${clicked} AND JSONExtractBool(properties, 'scanner') = 0
      )
      WHERE start_at >= ${lookbackStart}
    ),
    conv AS (${onePerEventSql('base', `${matchExpr(q.conversion, p)} AND timestamp >= ${from}`)})`
}

/** Each conversion with its touches in [conversion − lookback, conversion], oldest first. */
export function conversionPathsSql(p: QueryParams, q: TouchQuery): string {
  const lookback = p.add(q.lookbackMs, 'Int64')
  return `WITH ${touchCtes(p, q)}
    SELECT toUnixTimestamp64Milli(c.at) AS at, c.revenue AS revenue,
      arraySort(x -> x.1, groupArrayIf((toUnixTimestamp64Milli(t.start_at), t.key, t.direct),
        t.person != 0 AND toUnixTimestamp64Milli(t.start_at) >= toUnixTimestamp64Milli(c.at) - ${lookback}
        AND t.start_at <= c.at)) AS touches
    FROM conv AS c
    LEFT JOIN touches AS t ON t.person = c.person
    GROUP BY c.event_id, c.at, c.revenue`
}

/** For Markov: the touch sequences in [from, to) of people with no conversion in range, counted. */
export function nullPathsSql(p: QueryParams, q: TouchQuery): string {
  return `WITH ${touchCtes(p, q)}
    SELECT keys, count() AS people
    FROM (
      SELECT person, arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((start_at, key)))) AS keys
      FROM touches
      WHERE start_at >= ${p.time(q.from)} AND person NOT IN (SELECT person FROM conv)
      GROUP BY person
    )
    GROUP BY keys`
}
