import { TABLES } from '@touchpoint/clickhouse'
import { QueryParams } from '../params'
import { withPersonSql } from '../people'
import { num, type Reader } from '../reader'
import { type LINK_KINDS, type LinksRequest, linksRequest } from '../requests'

export interface LinkRow {
  /** the link's URL as stored (redacted as a page's URL is), or the host name it leads to */
  key: string
  /** clicks on it (each event id once), and the people (identity resolved) who clicked */
  clicks: number
  visitors: number
  /** the page it was clicked on most, and how many pages it was clicked on */
  topPage: string
  pages: number
}

export interface LinksResult {
  kind: (typeof LINK_KINDS)[number]
  by: 'url' | 'host'
  rows: LinkRow[]
  /** every click of the kind in the range; `links`: how many URLs (or hosts) */
  total: { clicks: number; visitors: number; links: number }
}

/** The event tp.js sends for each kind of link (packages/browser/src/core.ts). */
const EVENTS = { outbound: 'Outbound Link Clicked', download: 'File Downloaded' } as const

/**
 * Where the site sends people and what they take with them: the clicks tp.js records on links to other sites
 * (`Outbound Link Clicked`) or on files of this one (`File Downloaded`, by the link's extension), by the link's URL
 * or host, the most clicked first, with the people who clicked and the page each was clicked on most. Bots count
 * nowhere; a retried event counts once.
 */
export async function links(reader: Reader, input: LinksRequest): Promise<LinksResult> {
  const req = linksRequest.parse(input)
  const p = new QueryParams()
  const url = `JSONExtractString(properties, 'url')`
  const key = req.by === 'host' ? `domain(${url})` : url
  const clicks = `SELECT event_id, any(${key}) AS link, any(path) AS page, any(anonymous_id_hash) AS anonymous_id_hash,
      any(user_id_hash) AS user_id_hash
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(req.project, 'String')} AND event = ${p.add(EVENTS[req.kind], 'String')}
      AND timestamp >= ${p.time(req.from)} AND timestamp < ${p.time(req.to)} AND is_bot = 0
    GROUP BY event_id`
  const people = withPersonSql(p, req.project, clicks, 'e.link AS link, e.page AS page')
  const rows = await reader.rows(
    `SELECT grouping(link) AS total, link, count() AS clicks, uniqExact(person) AS visitors,
      topK(1)(page)[1] AS top_page, uniqExact(page) AS pages, uniqExact(link) AS links
    FROM (${people}) WHERE link != ''
    GROUP BY GROUPING SETS ((link), ())
    ORDER BY total DESC, clicks DESC, link
    LIMIT ${p.add(req.limit + 1, 'UInt32')}`,
    p,
  )
  const [total] = rows.filter((r) => num(r.total) === 1)
  return {
    kind: req.kind,
    by: req.by,
    rows: rows
      .filter((r) => num(r.total) === 0)
      .map((r) => ({
        key: String(r.link),
        clicks: num(r.clicks),
        visitors: num(r.visitors),
        topPage: String(r.top_page),
        pages: num(r.pages),
      })),
    total: { clicks: num(total?.clicks), visitors: num(total?.visitors), links: num(total?.links) },
  }
}
