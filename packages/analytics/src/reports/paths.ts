import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { matchExpr } from '../fields'
import { QueryParams } from '../params'
import { eventsWithPerson } from '../people'
import { num, type Reader } from '../reader'
import { type PathsRequest, pathsRequest } from '../requests'

/** What a path ends with when the person did nothing more within the window. */
export const PATH_END = '(end)'

export interface PathsResult {
  /** people whose path began in the range: those with a start event in it */
  people: number
  /** the events that came next, the most people first, each path of `steps` events or fewer, then `(end)` */
  paths: Array<{ steps: string[]; people: number; share: number }>
  /** what each of those people did first after the start (`(end)`: nothing within the window), the most first */
  next: Array<{ step: string; people: number; share: number }>
}

/**
 * What people do after a point: for each person (identity resolved) with an event matching `start` in the range,
 * the `steps` events that followed their first such event within `window`, in time order, each event id once. A
 * page view reads as `Page Viewed` and its path; tp.js's `Page Left`, which closes every page, and the events of
 * emails sent to the person (sends, opens: the mail client's, not theirs) are not steps. Bots count nowhere.
 * `paths` lists the commonest sequences, ended by `(end)` where the person did fewer than `steps` things in the
 * window; `next` the first step alone.
 */
export async function paths(reader: Reader, input: PathsRequest): Promise<PathsResult> {
  const req = pathsRequest.parse(input)
  const p = new QueryParams()
  const windowMs = req.window * 1000
  const skipped = p.add(
    [EVENT_NAMES.pageLeft, EVENT_NAMES.emailSent, EVENT_NAMES.emailOpened],
    'Array(String)',
  )
  const pageViewed = p.add(EVENT_NAMES.pageViewed, 'String')
  const scope = {
    project: req.project,
    from: req.from,
    to: new Date(req.to.getTime() + windowMs + 1),
    where: `e.event NOT IN ${skipped}`,
  }
  // a step is grouped by a number, the hash of its label (an event name, with the path for a page view), and
  // named after: arrays of strings for every person's every event took the report on 10M events 5-9 s
  const page = `e.event = ${pageViewed} AND e.path != ''`
  const labelHash = `if(${page}, cityHash64(e.event, e.path), cityHash64(e.event))`
  const events = eventsWithPerson(
    p,
    scope,
    `toUInt64(toUnixTimestamp64Milli(e.timestamp)) AS ts, (${matchExpr(req.start, p)}) AS is_start, ${labelHash} AS h`,
    true,
  )
  // each person's first start in the range: only the events from it to the window's end are grouped
  const starts = eventsWithPerson(
    p,
    { project: req.project, from: req.from, to: req.to, where: matchExpr(req.start, p) },
    'toUInt64(toUnixTimestamp64Milli(e.timestamp)) AS ts',
    true,
  )
  const W = p.add(windowMs, 'UInt64')
  const steps = p.add(req.steps, 'UInt8')
  // each person's events from their first start, in time order (a retried event once: its copies are the same
  // tuple), and the steps after the start within the window, 0 for the end where there were fewer
  const perPerson = `SELECT if(length(after) < ${steps}, arrayPushBack(after, toUInt64(0)), after) AS path
    FROM (
      SELECT arrayMap(e -> e.3, arraySlice(evs, arrayFirstIndex(e -> NOT e.2, evs) + 1, ${steps})) AS after
      FROM (
        SELECT arraySort(groupUniqArray((ev.ts, NOT ev.is_start, ev.h))) AS evs
        FROM (${events}) AS ev
        INNER JOIN (SELECT person, min(ts) AS s FROM (${starts}) GROUP BY person) AS st ON st.person = ev.person
        WHERE ev.ts >= st.s AND ev.ts <= st.s + ${W}
        GROUP BY ev.person
      )
    )`
  // the commonest paths and the commonest first steps, one grouping set each (grouping(path) is 1 on the latter)
  const rows = await reader.rows(
    `SELECT grouping(path) AS by_first, arrayMap(x -> toString(x), path) AS hashes, toString(first) AS first_hash,
      count() AS people,
      sum(count()) OVER (PARTITION BY grouping(path)) AS total
    FROM (SELECT path, path[1] AS first FROM (${perPerson}))
    GROUP BY GROUPING SETS ((path), (first))
    ORDER BY by_first, people DESC, path, first
    LIMIT ${p.add(req.limit, 'UInt32')} BY by_first`,
    p,
  )
  const names = await labelsOf(
    reader,
    p,
    scope,
    page,
    labelHash,
    rows.flatMap((r) => [...(r.hashes as unknown[]), r.first_hash]),
  )
  const named = (h: unknown) => (String(h) === '0' ? PATH_END : (names.get(String(h)) ?? String(h)))
  const people = num(rows[0]?.total)
  // the most people first; of as many, by their names (the query's order among them is by hash)
  const listed = (set: number, name: (r: Record<string, unknown>) => string[]) =>
    rows
      .filter((r) => num(r.by_first) === set)
      .map((r) => ({ steps: name(r), people: num(r.people), share: people > 0 ? num(r.people) / people : 0 }))
      .sort((a, b) => b.people - a.people || a.steps.join('\0').localeCompare(b.steps.join('\0')))
  return {
    people,
    paths: listed(0, (r) => (r.hashes as unknown[]).map(named)),
    next: listed(1, (r) => [named(r.first_hash)]).map(({ steps, ...x }) => ({ step: steps[0]!, ...x })),
  }
}

/**
 * The label of each step hash asked for, from the distinct events and pages of the scope (`p` holds the parameters of
 * its SQL).
 */
async function labelsOf(
  reader: Reader,
  p: QueryParams,
  scope: { project: string; from: Date; to: Date; where: string },
  page: string,
  labelHash: string,
  hashes: unknown[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(hashes.map(String))].filter((h) => h !== '0')
  if (!wanted.length) return new Map()
  const rows = await reader.rows(
    `SELECT toString(${labelHash}) AS h, if(${page}, concat(e.event, ' ', e.path), e.event) AS label
    FROM ${TABLES.events} AS e
    WHERE e.project_id = ${p.add(scope.project, 'String')} AND e.timestamp >= ${p.time(scope.from)}
      AND e.timestamp < ${p.time(scope.to)} AND e.is_bot = 0 AND ${scope.where}
    GROUP BY e.event, e.path
    HAVING h IN ${p.add(wanted, 'Array(String)')}`,
    p,
  )
  return new Map(rows.map((r) => [String(r.h), String(r.label)]))
}
