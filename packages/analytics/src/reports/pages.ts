import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { QueryParams } from '../params'
import { eventsWithPerson } from '../people'
import { num, type Reader, type Row } from '../reader'
import { type PagesRequest, pagesRequest } from '../requests'

export interface PageFigures {
  /** page views (each event id once) */
  views: number
  /** people (identity resolved) who viewed it */
  visitors: number
  /** sessions whose first page view in the range was of this path */
  entries: number
  /** of those, the sessions with no other page view: bounces ÷ entries */
  bounceRate: number
  /** sessions whose last page view in the range was of this path */
  exits: number
  /** exits ÷ views */
  exitRate: number
  /** the median time the page was visible before it was left, from tp.js's Page Left; null without one */
  medianEngagedSeconds: number | null
  /** the mean of the deepest scroll, 0–100% of the page, from the same events */
  meanScrollDepth: number | null
}

export interface PageRow extends PageFigures {
  path: string
}

export interface PagesResult {
  /** the most viewed paths first, at most `limit` */
  rows: PageRow[]
  /**
   * The page views of the range by host name, the most first (at most 20; '' for views without a URL), whatever
   * `host` is: a project that two sites send to shares their paths unless `host` picks one.
   */
  hosts: Array<{ host: string; views: number }>
  /** every page view of the range; `entries` and `exits` are then its sessions, and `paths` how many were viewed */
  total: PageFigures & { paths: number }
}

/** A number a Page Left event carries in its properties, NULL when it has none or a negative one. */
const measure = (key: string) => {
  const value = `JSONExtract(properties, '${key}', 'Nullable(Float64)')`
  return `if(${value} >= 0, ${value}, NULL)`
}

/**
 * The pages of a site: for each path, its page views, visitors, the sessions that entered and left by it, the
 * share of those entries that viewed nothing else, and how long it stayed visible and how far it was scrolled
 * (tp.js's Page Left, which carries the page that was left). A session is its page views in the range (with a
 * session id: the collector gives a call that has none, as Segment's libraries send them, its device's day), so
 * a visit that crosses the range's start enters by its first page inside it. Bots' events count nowhere; a
 * retried event counts once, in every figure.
 *
 * One pass over each kind of event: the page views give the views and visitors; the sessions, grouped from the
 * same rows, give an entry and an exit each; the Page Left events give the engagement. Each is grouped by path and
 * the three joined; the total is grouped from those few rows, with the states of the figures that do not add up.
 * On the bench's 10M events (6.2M page views, 2M sessions) it takes 1.5–1.8 s; one grouping of all three kinds of
 * rows took 4.4–7.1 s, and grouping sets over the events for the total 2.1–2.4 s.
 */
export async function pages(reader: Reader, input: PagesRequest): Promise<PagesResult> {
  const req = pagesRequest.parse(input)
  const p = new QueryParams()
  const project = p.add(req.project, 'String')
  const [from, to] = [p.time(req.from), p.time(req.to)]
  const hostParam = req.host === undefined ? undefined : p.add(req.host, 'String')
  const onHost = (url: string) => (hostParam === undefined ? '' : ` AND domain(${url}) = ${hostParam}`)
  const of = (event: string) => `project_id = ${project} AND timestamp >= ${from} AND timestamp < ${to}
      AND is_bot = 0 AND event = ${p.add(event, 'String')}${onHost('url')}`
  const views = eventsWithPerson(
    p,
    {
      project: req.project,
      from: req.from,
      to: req.to,
      where: `e.event = ${p.add(EVENT_NAMES.pageViewed, 'String')}${onHost('e.url')}`,
    },
    'e.event_id AS event_id, e.path AS path',
    true,
  )
  // a session's first and last page, and whether it viewed one page (one event id: a retry is the same view). Of
  // views in the same millisecond, a hash of the path decides: packed into one number with the time, since
  // argMin over a (time, path) tuple took 3.0 s on the bench's 10M events, against 0.85 s over the number
  const sessions = `SELECT argMin(path, at) AS entry, argMax(path, at) AS exit, min(event_id) = max(event_id) AS one
    FROM (SELECT path, event_id, session_id_hash,
        toUnixTimestamp64Milli(timestamp) * 65536 + cityHash64(path) % 65536 AS at
      FROM ${TABLES.events} WHERE ${of(EVENT_NAMES.pageViewed)} AND session_id_hash != 0)
    GROUP BY session_id_hash`
  const engagement = `SELECT any(path) AS path, any(${measure('engagedMs')}) AS engaged,
      any(${measure('scrollDepth')}) AS depth
    FROM ${TABLES.events} WHERE ${of(EVENT_NAMES.pageLeft)}
    GROUP BY event_id`
  // each kind of figure by path, the three joined on it; then the paths and their total (grouping sets) from those
  // few rows: sums, and the merged states of the figures that do not add up (visitors, the median, the mean)
  const sql = `
    WITH
    pv AS (SELECT path, uniqExact(cityHash64(event_id)) AS views, uniqExactState(person) AS people
      FROM (${views}) GROUP BY path),
    ses AS (SELECT x.2 AS path, countIf(x.1 = 1) AS entries, countIf(x.1 = 1 AND one) AS bounces,
        countIf(x.1 = 2) AS exits
      FROM (SELECT arrayJoin([(1, entry), (2, exit)]) AS x, one FROM (${sessions})) GROUP BY path),
    eng AS (SELECT path, quantileExactInclusiveState(0.5)(engaged) AS engaged, avgState(depth) AS depth
      FROM (${engagement}) GROUP BY path)
    SELECT grouping(path) AS total, path, sum(views) AS views, uniqExactMerge(people) AS visitors, count() AS paths,
      sum(entries) AS entries, sum(bounces) AS bounces, sum(exits) AS exits,
      quantileExactInclusiveMerge(0.5)(engaged) AS engaged, avgMerge(depth) AS depth
    FROM (SELECT pv.path AS path, views, people, entries, bounces, exits, eng.engaged AS engaged, eng.depth AS depth
      FROM pv
      LEFT JOIN ses ON ses.path = pv.path
      LEFT JOIN eng ON eng.path = pv.path)
    GROUP BY GROUPING SETS ((path), ())
    ORDER BY total DESC, views DESC, path
    LIMIT ${p.add(req.limit + 1, 'UInt32')}`
  const [rows, stored] = await Promise.all([reader.rows(sql, p), hostsOf(reader, req, 'count()')])
  // grouping(path) is 1 on the row of the empty grouping set, which the order puts first
  const total = rows.find((r) => num(r.total) === 1)
  const totals = { ...figures(total), paths: num(total?.paths) }
  // Each event id once, as every figure counts it: with one host, and the report of that host (or of all), its
  // views are the total's. Counting each id once by host otherwise costs a pass of its own (0.25 s on the bench's
  // 6.2M page views), paid only by a project with several hosts.
  const one = stored.length === 1 && (req.host === undefined || req.host === stored[0]?.host)
  const hosts =
    stored.length === 0
      ? []
      : one
        ? [{ host: stored[0]!.host, views: totals.views }]
        : await hostsOf(reader, req, 'uniqExact(cityHash64(event_id))')
  return {
    rows: rows.filter((r) => num(r.total) === 0).map((r) => ({ path: String(r.path), ...figures(r) })),
    hosts,
    total: totals,
  }
}

/** The page views of a range by host name, the most first: as `views` counts them (each id once, or each row). */
async function hostsOf(reader: Reader, req: { project: string; from: Date; to: Date }, views: string) {
  const p = new QueryParams()
  const rows = await reader.rows(
    `SELECT domain(url) AS host, ${views} AS views
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(req.project, 'String')} AND timestamp >= ${p.time(req.from)}
      AND timestamp < ${p.time(req.to)} AND is_bot = 0 AND event = ${p.add(EVENT_NAMES.pageViewed, 'String')}
    GROUP BY host ORDER BY views DESC, host LIMIT 20`,
    p,
  )
  return rows.map((r) => ({ host: String(r.host), views: num(r.views) }))
}

function figures(r: Row = {}): PageFigures {
  const views = num(r.views)
  const entries = num(r.entries)
  const exits = num(r.exits)
  return {
    views,
    visitors: num(r.visitors),
    entries,
    bounceRate: entries > 0 ? num(r.bounces) / entries : 0,
    exits,
    exitRate: views > 0 ? exits / views : 0,
    medianEngagedSeconds: r.engaged === null || r.engaged === undefined ? null : num(r.engaged) / 1000,
    meanScrollDepth: r.depth === null || r.depth === undefined ? null : num(r.depth),
  }
}
