import { TABLES } from '../tables'
import { partsOf } from './005-session-parts'
import type { Migration } from './ddl'

/**
 * What orders a session's events to find its first, whose channel the session is credited to: the time, and at
 * the same time, an event that names where the visit came from before one of no channel or Direct. min() of
 * the `first` tuple broke a tie of times on the channel's name, where 'Direct' comes before 'Email' or 'Paid
 * Search': a batch sent without timestamps, whose page view (from a newsletter) and order (no page, so Direct)
 * both took the time they were received, made a Direct session of an email visit.
 */
export const FIRST_EVENT_ORDER = `(timestamp, channel IN ('', 'Direct'))`

/**
 * Replaces the session parts' view with one that picks each insert's first event of a part by FIRST_EVENT_ORDER
 * (argMin), where it took the least tuple. The tuple it stores is the same, with the event's own time, so the
 * table's min() still merges the rows of several inserts; only two events of the same millisecond that arrive
 * in different inserts still meet the old tie-break, which one request's events never do. The parts stored
 * before keep the first events they have (rebuilding the table would take as long as migration 5's backfill).
 */
export const sessionPartsDirectLast: Migration = {
  version: 8,
  name: 'session-parts-direct-last',
  up: ({ onCluster }) => [
    `DROP TABLE IF EXISTS ${TABLES.sessionPartsView}${onCluster} SYNC`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${TABLES.sessionPartsView}${onCluster} TO ${TABLES.sessionParts}
    AS ${partsOf(TABLES.events, (tuple) => `argMin(${tuple}, ${FIRST_EVENT_ORDER})`)}`,
  ],
}
