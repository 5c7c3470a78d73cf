import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { type Spend, type SpendResult, spendOf, withSpend } from '../attribution/spend'
import { type AttributionKey, KEY_EXPR } from '../attribution/touches'
import { type Currencies, eventRevenueSql, reportedCurrencySql } from '../currencies'
import { fieldExpr, matchExpr } from '../fields'
import { QueryParams } from '../params'
import { withPersonSql } from '../people'
import { num, type Reader } from '../reader'
import { type TrafficKey, type TrafficRequest, trafficRequest } from '../requests'
import { keptRevenueSql, ORDER_ID } from './refunds'

export interface TrafficRow {
  /** the channel, source, medium or campaign of the sessions' first events, or their device type, browser or OS */
  key: string
  sessions: number
  /** people (identity resolved) with one of those sessions */
  visitors: number
  /** the share of the sessions with no more than one page view */
  bounceRate: number
  /** the median time from a session's first event to its last (tp.js's Page Left ends a visit's last page) */
  medianDurationSeconds: number | null
  /** sessions with a conversion in them */
  convertingSessions: number
  /** convertingSessions ÷ sessions */
  conversionRate: number
  /** conversions in those sessions, and their revenue */
  conversions: number
  revenue: number
  currencies: Currencies
  /**
   * By channel, source, medium or campaign, with ad spend recorded in the range (attribution/spend.ts): what the
   * key's ads cost over the range's days (0 for none), per session, per converting session, and the return on it
   * (revenue ÷ cost), null where there is nothing to divide by
   */
  cost?: number
  costPerSession?: number | null
  costPerConvertingSession?: number | null
  roas?: number | null
}

export interface TrafficResult {
  by: TrafficKey
  /** the revenue is what the orders kept after refunds (netOfRefunds), not what they were ordered at */
  netOfRefunds: boolean
  rows: TrafficRow[]
  /** the same over every session of the range (a person with sessions of two keys is one visitor here) */
  total: Omit<TrafficRow, 'key'>
  /** By a key ads are tagged with, with ad spend recorded in the range: its cost, clicks, impressions, currencies */
  spend?: Spend & { currencies: Currencies }
}

/** Sessions are read from parts stored up to a day before the range, so a session that began then is known. */
const DAY = 86_400_000

/**
 * The keys the session parts do not keep, and the field of the session's first event each is read from: what the
 * session came with (its user agent's device type, browser, OS), the page it landed on and that page's host name
 * (its site, where several send to one project), and where the visitor was and what they read in (the country of
 * their time zone and the language of their locale: fields.ts).
 */
const EVENT_KEY_FIELDS: Record<Exclude<TrafficKey, AttributionKey>, string> = {
  device: 'device_type',
  browser: 'browser',
  os: 'os',
  landing: 'path',
  host: 'host',
  country: 'country',
  language: 'language',
}
const isEventKey = (by: TrafficKey): by is keyof typeof EVENT_KEY_FIELDS => by in EVENT_KEY_FIELDS

/**
 * Where the visits came from and what they did: the sessions that began in the range, by the channel (or source,
 * medium, campaign) of their first event, as attribution keys a session touch, by its device type (desktop, mobile,
 * tablet…), browser or OS, or by the path it landed on; with their visitors, how many bounced and how long they
 * lasted, the sessions that converted, and the conversions and revenue in them (conversions in the range;
 * `conversion`, by default `Order Completed`; with `netOfRefunds`, each order's revenue what it kept after its
 * refunds, as attribution's). A session's first event is its earliest part's (`session_parts`, migration 5), taken
 * as the profile takes it (FIRST_EVENT_ORDER: of events at the same time, a Direct one last). Bots' events and
 * events without a session id are in no session, as in attribution; a conversion outside any session counts in no
 * row. A session's bounce and length are read from its events up to the range's end, so one still going then is as
 * long as it was by that time. On the bench's 10M events (2M sessions) it takes 2.4 s, of which 0.8 s for the
 * bounces and lengths (a second pass over the events); grouping each session's whole first-event tuple, and a second
 * pass for the total, took 5.7–6.3 s without them. By device, browser, OS or landing page, read from the events,
 * 2.6 s, with the same total.
 */
export async function traffic(reader: Reader, input: TrafficRequest): Promise<TrafficResult> {
  const req = trafficRequest.parse(input)
  const [result] = await trafficBy(reader, req)
  return result
}

/**
 * The traffic report by `req.by` and, with `second` (a key read from the events), by that key too, from one pass:
 * the second key is taken from each session's first event in the grouping of its events that the bounces and
 * lengths take anyway, so the sessions, their people and their conversions are found once for both. The overview
 * takes channel and country this way (docs/performance.md, "The overview's traffic in one pass").
 */
export async function trafficBy(
  reader: Reader,
  req: ReturnType<typeof trafficRequest.parse>,
  second?: keyof typeof EVENT_KEY_FIELDS,
): Promise<[TrafficResult, TrafficResult?]> {
  const p = new QueryParams()
  const project = p.add(req.project, 'String')
  const [from, to] = [p.time(req.from), p.time(req.to)]
  const slack = p.time(new Date(req.from.getTime() - DAY))
  // Where a session came from is its first part's key, from the part's first event (the tuple: .1 time, .2 channel,
  // .3 source, .4 medium, .5 campaign, .6 referrer host), of events at the same time a Direct one last. What it came
  // with and where it landed are not in the parts: they are read from the events of the same days, the first one's.
  const keyOfEvent = isEventKey(req.by) ? fieldExpr(EVENT_KEY_FIELDS[req.by], p) : ''
  const source = isEventKey(req.by)
    ? `SELECT session_id_hash AS session, timestamp AS t, if(${keyOfEvent} = '', '(unknown)', toString(${keyOfEvent})) AS key,
        anonymous_id_hash, user_id_hash
      FROM ${TABLES.events}
      WHERE project_id = ${project} AND timestamp >= toDate(${slack}) AND timestamp < ${to}
        AND is_bot = 0 AND session_id_hash != 0`
    : `SELECT session_id_hash AS session, first.1 AS t, ch IN ('', 'Direct') AS direct,
        ${KEY_EXPR[req.by]} AS key, anonymous_id_hash, user_id_hash
      FROM (SELECT *, first.2 AS ch, first.3 AS src, first.4 AS med, first.5 AS camp, first.6 AS ref
        FROM ${TABLES.sessionParts}
        WHERE project_id = ${project} AND day >= toDate(${slack}) AND day <= toDate(${to}))`
  // a session's key and ids are its first row's; only its few columns are grouped, not the whole tuple
  const first = isEventKey(req.by) ? 't' : '(t, direct)'
  const sessions = `SELECT session, x.1 AS key, x.2 AS anonymous_id_hash, x.3 AS user_id_hash
    FROM (SELECT session, argMin((key, anonymous_id_hash, user_id_hash), ${first}) AS x, min(t) AS start
      FROM (${source}) GROUP BY session HAVING start >= ${from} AND start < ${to})`
  // each conversion once, with its revenue (with netOfRefunds, what its order kept: keptRevenueSql)
  const net = req.netOfRefunds
  const conversions = `SELECT event_id, any(session_id_hash) AS session, ${eventRevenueSql(p, req.exchange)} AS revenue,
      ${reportedCurrencySql(p, req.exchange, 'any(sent_currency)')} AS currency${net ? `, ${ORDER_ID}` : ''}
    FROM (SELECT event_id, session_id_hash, timestamp, revenue AS sent_revenue, currency AS sent_currency${net ? ', properties' : ''}
      FROM ${TABLES.events}
      WHERE project_id = ${project} AND timestamp >= ${from} AND timestamp < ${to} AND is_bot = 0
        AND session_id_hash != 0 AND (${matchExpr(req.conversion, p)}))
    GROUP BY event_id`
  const convRows = net
    ? keptRevenueSql(p, req, conversions, 'c.session AS session, c.currency AS currency')
    : conversions
  const pageViewed = p.add(EVENT_NAMES.pageViewed, 'String')
  // the second key: the first event's field, as `source` reads it by that key
  const secondField = second ? fieldExpr(EVENT_KEY_FIELDS[second], p) : ''
  const keyOfSecond = second
    ? `, argMin(if(${secondField} = '', '(unknown)', toString(${secondField})), timestamp) AS k2`
    : ''
  const sql = `
    WITH people AS (${withPersonSql(p, req.project, sessions, 'e.session AS session, e.key AS key')}),
    conv AS (
      SELECT session, count() AS n, sum(revenue) AS revenue, groupUniqArrayIf(currency, currency != '') AS cur
      FROM (${convRows})
      GROUP BY session
    ),
    stats AS (
      SELECT session_id_hash AS session,
        minIf(event_id, event = ${pageViewed}) = maxIf(event_id, event = ${pageViewed}) AS bounced,
        toUnixTimestamp64Milli(max(timestamp)) - toUnixTimestamp64Milli(min(timestamp)) AS duration_ms${keyOfSecond}
      FROM ${TABLES.events}
      WHERE project_id = ${project} AND timestamp >= toDate(${slack}) AND timestamp < ${to} AND is_bot = 0
        AND session_id_hash != 0
      GROUP BY session_id_hash
    )
    SELECT grouping(key) AS total, ${second ? 'grouping(k2) AS not_second, st.k2 AS k2,' : ''} key, count() AS sessions,
      uniqExact(person) AS visitors,
      countIf(st.bounced) AS bounces, quantileExactInclusive(0.5)(st.duration_ms) AS duration_ms,
      countIf(c.n > 0) AS converting, sum(c.n) AS conversions, sum(c.revenue) AS revenue,
      arraySort(arrayDistinct(arrayFlatten(groupArray(c.cur)))) AS cur
    FROM people AS s LEFT JOIN conv AS c ON c.session = s.session LEFT JOIN stats AS st ON st.session = s.session
    GROUP BY GROUPING SETS ((key), ${second ? '(k2), ' : ''}())
    ORDER BY sessions DESC, key${second ? ', k2' : ''}`
  const [rows, spend] = await Promise.all([
    reader.rows(sql, p),
    isEventKey(req.by) ? undefined : spendOf(reader, { ...req, by: req.by }),
  ])
  const toRow = (r: Record<string, unknown> = {}): Omit<TrafficRow, 'key'> => {
    const sessions = num(r.sessions)
    const converting = num(r.converting)
    return {
      sessions,
      visitors: num(r.visitors),
      bounceRate: sessions > 0 ? num(r.bounces) / sessions : 0,
      medianDurationSeconds: sessions > 0 ? num(r.duration_ms) / 1000 : null,
      convertingSessions: converting,
      conversionRate: sessions > 0 ? converting / sessions : 0,
      conversions: num(r.conversions),
      revenue: num(r.revenue),
      currencies: (r.cur as string[] | undefined) ?? [],
    }
  }
  // grouping(x) is 1 on a row whose grouping set leaves x out: the empty set's row is every session's
  const totalRow = toRow(rows.find((r) => num(r.total) === 1 && (!second || num(r.not_second) === 1)))
  const result = {
    by: req.by,
    netOfRefunds: req.netOfRefunds,
    rows: rows.filter((r) => num(r.total) === 0).map((r) => ({ key: String(r.key), ...toRow(r) })),
    total: totalRow,
  }
  const bySecond = second && {
    by: second,
    netOfRefunds: req.netOfRefunds,
    rows: rows
      .filter((r) => num(r.total) === 1 && num(r.not_second) === 0)
      .map((r) => ({ key: String(r.k2), ...toRow(r) })),
    total: totalRow,
  }
  return [spend ? costed(result, spend) : result, ...(bySecond ? [bySecond] : [])] as [
    TrafficResult,
    TrafficResult?,
  ]
}

/** The report with each key's ad spend beside its sessions: per session, per converting session, and the return. */
function costed(result: TrafficResult, spend: SpendResult): TrafficResult {
  const figures = (row: Omit<TrafficRow, 'key'>, cost: number) => ({
    costPerSession: row.sessions > 0 ? cost / row.sessions : null,
    costPerConvertingSession: row.convertingSessions > 0 ? cost / row.convertingSessions : null,
    roas: cost > 0 ? row.revenue / cost : null,
  })
  const nobody = {
    sessions: 0,
    visitors: 0,
    bounceRate: 0,
    medianDurationSeconds: null,
    convertingSessions: 0,
    conversionRate: 0,
    conversions: 0,
    revenue: 0,
    currencies: [],
  }
  return withSpend(result, spend, nobody, figures)
}
