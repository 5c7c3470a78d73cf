import { TABLES } from '@touchpoint/clickhouse'
import type { QueryParams } from './params'

/**
 * Who an event belongs to. A person is the event's user id when it has one; otherwise the user id that
 * `identities` links to its anonymous id (the earliest link wins when there are several); otherwise the
 * anonymous id. Links come from identify, alias, email hand-offs and any event that carried both ids.
 */
export function identityMapSql(project: string): string {
  return `SELECT anonymous_id, argMin(user_id, (linked_at, user_id)) AS mapped_user
    FROM (
      SELECT anonymous_id, user_id, min(linked_at) AS linked_at
      FROM ${TABLES.identities}
      WHERE project_id = ${project}
      GROUP BY anonymous_id, user_id
    )
    GROUP BY anonymous_id`
}

export const PERSON_EXPR = `if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id))`

/**
 * Each event id once (a retry not yet merged away must not count twice): person, time `at` and revenue (0 when
 * none) of the events in `source` (a CTE name or a parenthesised subquery), with `extra` columns as aggregates.
 */
export function onePerEventSql(source: string, where = '', extra = ''): string {
  return `SELECT event_id, any(person) AS person, any(timestamp) AS at, toFloat64(ifNull(any(revenue), 0)) AS revenue${extra ? `, ${extra}` : ''}
    FROM ${source}${where ? ` WHERE ${where}` : ''}
    GROUP BY event_id`
}

export interface EventsScope {
  project: string
  from: Date
  to: Date
  /** Extra condition on the events table (alias `e`). */
  where?: string | undefined
}

/**
 * Events of a project in [from, to) with a `person` column, bots left out. The selected columns are the
 * events table's own (alias `e`), so callers write conditions as they would on `events`.
 */
export function eventsWithPerson(params: QueryParams, scope: EventsScope, columns: string): string {
  const project = params.add(scope.project, 'String')
  return `SELECT ${PERSON_EXPR} AS person, ${columns}
    FROM ${TABLES.events} AS e
    LEFT JOIN (${identityMapSql(project)}) AS m ON m.anonymous_id = e.anonymous_id
    WHERE e.project_id = ${project}
      AND e.timestamp >= ${params.time(scope.from)} AND e.timestamp < ${params.time(scope.to)}
      AND e.is_bot = 0${scope.where ? ` AND (${scope.where})` : ''}`
}
