import { FIRST_EVENT_ORDER, TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { fieldExpr } from '../fields'
import { QueryParams } from '../params'
import { withPersonSql } from '../people'
import { num, type Reader } from '../reader'
import { type LiveRequest, liveRequest } from '../requests'

export interface LiveResult {
  /** the window looked at: the last `minutes` before `to` */
  from: string
  to: string
  /** people (identity resolved) with an event in it, and their sessions */
  visitors: number
  sessions: number
  pageViews: number
  orders: number
  /** what the sessions are on: each session's latest page view in the window, the most sessions first */
  pages: Array<{ path: string; sessions: number }>
  /** where the sessions came from, by the channel of their first event in the window */
  channels: Array<{ channel: string; sessions: number }>
  /** where the visitors are, by the country of their first event's time zone in the window ('' for none) */
  countries: Array<{ country: string; sessions: number }>
}

/**
 * Who is on the site now: the people and sessions with an event in the last few minutes (default 5), their page
 * views and orders, the page each session is on, and where the sessions came from. Bots count nowhere; a retried
 * event counts once. The first look after adding the tag: one's own visit shows within a second or two (the
 * embedded loader inserts once a second, and through Kafka the ingester's batches add their wait).
 */
export async function live(reader: Reader, input: LiveRequest): Promise<LiveResult> {
  const req = liveRequest.parse(input)
  const to = req.at ?? new Date()
  const from = new Date(to.getTime() - req.minutes * 60_000)
  const p = new QueryParams()
  const pageViewed = p.add(EVENT_NAMES.pageViewed, 'String')
  const events = `SELECT event_id, event, path, channel, timestamp, session_id_hash, anonymous_id_hash, user_id_hash,
      ${fieldExpr('country', p)} AS country
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(req.project, 'String')} AND timestamp >= ${p.time(from)} AND timestamp <= ${p.time(to)}
      AND is_bot = 0`
  const people = withPersonSql(p, req.project, events, 'e.*')
  const limit = p.add(req.limit, 'UInt32')
  const [summary] = await reader.rows(
    `SELECT uniqExact(person) AS visitors, uniqExactIf(session_id_hash, session_id_hash != 0) AS sessions,
      uniqExactIf(event_id, event = ${pageViewed}) AS page_views,
      uniqExactIf(event_id, event = ${p.add(EVENT_NAMES.orderCompleted, 'String')}) AS orders
    FROM (${people})`,
    p,
  )
  const bySession = `SELECT session_id_hash, argMaxIf(path, timestamp, event = ${pageViewed}) AS page,
      countIf(event = ${pageViewed}) > 0 AS viewed, argMin(if(channel = '', 'Direct', channel), ${FIRST_EVENT_ORDER}) AS channel,
      argMin(country, timestamp) AS country
    FROM (${events}) WHERE session_id_hash != 0 GROUP BY session_id_hash`
  // the pages (of the sessions that viewed one), the channels and the countries from one grouping of the sessions:
  // `set` is 0 for the pages, 1 for the channels and 2 for the countries
  const grouped = await reader.rows(
    `SELECT grouping(channel) + 2 * grouping(page) - 1 AS set, page, channel, country,
      if(grouping(page) = 0, countIf(viewed), count()) AS sessions
    FROM (${bySession})
    GROUP BY GROUPING SETS ((page), (channel), (country))
    HAVING sessions > 0
    ORDER BY set, sessions DESC, page, channel, country
    LIMIT ${limit} BY set`,
    p,
  )
  const of = (set: number) => grouped.filter((r) => num(r.set) === set)
  const [pages, channels, countries] = [of(0), of(1), of(2)]
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    visitors: num(summary?.visitors),
    sessions: num(summary?.sessions),
    pageViews: num(summary?.page_views),
    orders: num(summary?.orders),
    pages: pages.map((r) => ({ path: String(r.page), sessions: num(r.sessions) })),
    channels: channels.map((r) => ({ channel: String(r.channel), sessions: num(r.sessions) })),
    countries: countries.map((r) => ({ country: String(r.country), sessions: num(r.sessions) })),
  }
}
