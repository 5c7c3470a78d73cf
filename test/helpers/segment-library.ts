/** What the tests of Segment's server libraries (Java, Python, Go) read back after the library has sent its calls. */
import type { RunningCollector } from '../../services/collector/src/server'
import { eventually, post, sql } from './http'

/** One call of each kind, as each library's program sends them, in the order `storedCalls` gives: [type, event]. */
export const EACH_KIND = [
  ['alias', 'Alias'],
  ['group', 'Group'],
  ['identify', 'Identify'],
  ['page', 'Page Viewed'],
  ['screen', 'Screen Viewed'],
] as const

/**
 * The calls stored for `user` once there are `count` of them, by type and time: `type`, `event`, `source` and
 * `library_name`, and the other columns asked for (SQL expressions, named).
 */
export function storedCalls(
  collector: RunningCollector,
  admin: string,
  user: string,
  count: number,
  columns = '',
) {
  return eventually(
    () =>
      sql<Record<string, unknown>>(
        collector.url,
        admin,
        `SELECT type, event, source, library_name${columns ? `, ${columns}` : ''}
         FROM events WHERE user_id = {user:String} ORDER BY type, timestamp`,
        { user },
      ),
    (rows) => rows.length === count,
  )
}

/** A report of `project` over the last week, in which the libraries' back-dated orders fall. */
export function lastWeeksReport(collector: RunningCollector, admin: string, project: string, report: string) {
  return post(
    `${collector.url}/api/reports/${report}`,
    { project, from: new Date(Date.now() - 7 * 86_400_000).toISOString(), to: new Date().toISOString() },
    { authorization: `Bearer ${admin}` },
  )
}
