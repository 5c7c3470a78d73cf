import { FIRST_EVENT_ORDER, TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import type { z } from 'zod'
import { EVENT_COLUMNS } from '../columns'
import { type Currencies, convertedSql, currenciesAgg, reportedCurrencySql } from '../currencies'
import { fieldExpr } from '../fields'
import { QueryParams } from '../params'
import { ALL_TIME, eventsWithPerson, identityMapSql } from '../people'
import { num, type Reader } from '../reader'
import { type ProfileRequest, profileRequest } from '../requests'
import { givenBackSql, orderRowsSql } from './refunds'
import { SUBSCRIPTION_EVENTS, subscriptionStatesSql } from './subscriptions'
import { TICKET_EVENTS, ticketsSql } from './support'
import { NPS_ANSWER, NPS_SCORE } from './survey-answers'

export interface Profile {
  person: string
  userIds: string[]
  anonymousIds: string[]
  traits: Record<string, unknown>
  firstSeen: string
  lastSeen: string
  events: number
  sessions: number
  devices: Array<{ deviceType: string; os: string; browser: string; events: number; lastSeen: string }>
  /**
   * Where they are, as their device said last: the time zone and locale of their latest event with one, the
   * country of their latest event with one (from its address, or else its time zone: fields.ts) and the locale's
   * language ('' for none)
   */
  location: { country: string; timezone: string; language: string; locale: string }
  channels: Array<{ channel: string; sessions: number }>
  email: { sent: number; opens: number; machineOpens: number; clicks: number; scannerClicks: number }
  /**
   * `currencies`: those the orders were placed in (currencies.ts). `refunds`: their `Order Refunded` events,
   * `refunded` what those gave back (a partial refund's revenue, a whole one's order's, by `orderId`), and
   * `netRevenue` the revenue less that.
   */
  orders: {
    count: number
    revenue: number
    averageOrderValue: number
    currencies: Currencies
    refunds: number
    refunded: number
    netRevenue: number
  }
  nps: { score: number; at: string } | null
  /**
   * Their subscriptions (reports/subscriptions.ts), the latest started first: active now or not, since their latest
   * start, the cancellation that ended one no longer active, and the revenue a month.
   */
  subscriptions: Array<{
    subscriptionId: string
    plan: string
    active: boolean
    startedAt: string | null
    cancelledAt: string | null
    monthlyRevenue: number
    currency: string
  }>
  /** Their support tickets (reports/support.ts): how many, how many are open now, when the latest was opened. */
  support: { tickets: number; open: number; lastOpenedAt: string | null }
  timeline: Array<{
    timestamp: string
    type: string
    event: string
    path: string
    channel: string
    revenue: number | null
    currency: string
  }>
}

/**
 * One person's whole story: every event that resolves to them (by user id, by anonymous ids linked to them, or
 * by the anonymous id itself), each event id once. Asked for an anonymous id that is linked to a user, it answers
 * for that user. Asked for an email address that is no id with events, it answers for the person whose events last
 * carried it as their `email` trait (an identify's); failing that, for the first of `alsoKnownAs` that has events
 * (the address's recipient id, under which its email events are stored). Returns null when nobody by those ids has
 * any event.
 */
export async function profile(reader: Reader, input: ProfileRequest): Promise<Profile | null> {
  const req = profileRequest.parse(input)
  const byEmail = async () => (req.person.includes('@') ? await personByEmail(reader, req) : undefined)
  for (const id of [req.person, byEmail, ...req.alsoKnownAs]) {
    const person = typeof id === 'string' ? id : await id()
    const found = person === undefined ? null : await profileOf(reader, { ...req, person })
    if (found) return found
  }
  return null
}

/**
 * The person (identity resolved) whose latest event with an `email` trait carried this address, compared without
 * case or surrounding spaces; undefined when none did.
 */
async function personByEmail(
  reader: Reader,
  req: { project: string; person: string },
): Promise<string | undefined> {
  const p = new QueryParams()
  const email = p.add(req.person.trim().toLowerCase(), 'String')
  const [row] = await reader.rows<{ person: string }>(
    `SELECT person FROM (${eventsWithPerson(
      p,
      {
        project: req.project,
        ...ALL_TIME,
        where: `e.traits != '' AND lower(trim(JSONExtractString(e.traits, 'email'))) = ${email}`,
      },
      'e.timestamp AS timestamp',
    )})
    ORDER BY timestamp DESC, person LIMIT 1`,
    p,
  )
  return row?.person
}

async function profileOf(reader: Reader, req: z.output<typeof profileRequest>): Promise<Profile | null> {
  const person = await resolve(reader, req.project, req.person)
  const p = new QueryParams()
  const who = p.add(person, 'String')
  const project = p.add(req.project, 'String')
  const base = eventsWithPerson(
    p,
    {
      project: req.project,
      ...ALL_TIME,
      where: `e.user_id = ${who} OR e.anonymous_id = ${who} OR e.anonymous_id IN (
        SELECT anonymous_id FROM ${TABLES.identities} WHERE project_id = ${project} AND user_id = ${who})`,
    },
    EVENT_COLUMNS,
  )
  const ev = `ev AS (SELECT * FROM (${base}) WHERE person = ${who} LIMIT 1 BY event_id)`
  const n = (name: keyof typeof EVENT_NAMES) => p.add(EVENT_NAMES[name], 'String')
  const subscriptionEvents = p.add(SUBSCRIPTION_EVENTS, 'Array(String)')
  const ticketEvents = p.add(TICKET_EVENTS, 'Array(String)')
  const [summary] = await reader.rows(
    `WITH ${ev}
    SELECT count() AS events, min(timestamp) AS first_seen, max(timestamp) AS last_seen,
      uniqExactIf(session_id, session_id != '') AS sessions,
      arraySort(groupUniqArrayIf(anonymous_id, anonymous_id != '')) AS anonymous_ids,
      arraySort(groupUniqArrayIf(user_id, user_id != '')) AS user_ids,
      arrayMap(x -> x.2, arraySort(groupArrayIf((timestamp, traits), traits NOT IN ('', '{}')))) AS traits_list,
      countIf(event = ${n('orderCompleted')}) AS orders,
      sumIf(${convertedSql(p, req.exchange, 'toFloat64(ifNull(revenue, 0))', 'currency', 'timestamp')}, event = ${n('orderCompleted')})
        AS order_revenue,
      ${currenciesAgg(`if(event = ${n('orderCompleted')}, ${reportedCurrencySql(p, req.exchange, 'currency')}, '')`)}
        AS order_currencies,
      countIf(event = ${n('orderRefunded')}) AS refund_events,
      countIf(event = ${n('emailSent')}) AS emails_sent,
      countIf(event = ${n('emailOpened')} AND NOT JSONExtractBool(properties, 'machine')) AS opens,
      countIf(event = ${n('emailOpened')} AND JSONExtractBool(properties, 'machine')) AS machine_opens,
      countIf(event = ${n('emailClicked')} AND NOT JSONExtractBool(properties, 'scanner')) AS clicks,
      countIf(event = ${n('emailClicked')} AND JSONExtractBool(properties, 'scanner')) AS scanner_clicks,
      argMaxIf(${NPS_SCORE}, timestamp, event = ${n('surveyAnswered')} AND ${NPS_ANSWER}) AS nps,
      maxIf(timestamp, event = ${n('surveyAnswered')} AND ${NPS_ANSWER}) AS nps_at,
      countIf(event = ${n('surveyAnswered')} AND ${NPS_ANSWER}) AS nps_answers,
      countIf(event IN ${subscriptionEvents}) AS subscription_events, countIf(event IN ${ticketEvents}) AS ticket_events,
      argMaxIf(timezone, timestamp, timezone != '') AS last_timezone,
      argMaxIf(${fieldExpr('country', p)}, timestamp, ip_country != '' OR timezone != '') AS last_country,
      argMaxIf(locale, timestamp, locale != '') AS last_locale,
      argMaxIf(${fieldExpr('language', p)}, timestamp, locale != '') AS last_language
    FROM ev`,
    p,
  )
  if (!summary || num(summary.events) === 0) return null
  const devices = await reader.rows(
    `WITH ${ev}
    SELECT device_type, os, browser, count() AS events, max(timestamp) AS last_seen
    FROM ev WHERE browser != '' OR os != '' OR device_type != ''
    GROUP BY device_type, os, browser ORDER BY events DESC, last_seen DESC, device_type, os, browser`,
    p,
  )
  const channels = await reader.rows(
    `WITH ${ev}
    SELECT channel, count() AS sessions
    FROM (SELECT session_id, argMin(if(channel = '', 'Direct', channel), ${FIRST_EVENT_ORDER}) AS channel
          FROM ev WHERE session_id != '' GROUP BY session_id)
    GROUP BY channel ORDER BY sessions DESC, channel`,
    p,
  )
  // a subscription's and a ticket's state now, as their reports define it at the end of all of history; read only
  // for a person who has such events (each read is another pass over their events: 0.2 s on the bench's 10M)
  const now = p.time(ALL_TIME.to)
  const subscriptions = num(summary.subscription_events)
    ? await reader.rows(
        `WITH ${ev}
        SELECT sub, plan, active_to, any_s, s_to, any_c, c_to, mrr_to, cur_to
        FROM (${subscriptionStatesSql(p, `(SELECT * FROM ev WHERE event IN ${subscriptionEvents})`, now, req.exchange)})
        ORDER BY s_to DESC, sub`,
        p,
      )
    : []
  const [tickets] = num(summary.ticket_events)
    ? await reader.rows(
        `WITH ${ev}
        SELECT count() AS tickets, countIf(open_at_end) AS open, countIf(was_opened) AS opened, max(last_open) AS last_open
        FROM (${ticketsSql(p, `(SELECT * FROM ev WHERE event IN ${ticketEvents})`, now)})`,
        p,
      )
    : []
  // what their refunds gave back, read only for a person who has some
  const orderRows = (name: keyof typeof EVENT_NAMES) =>
    orderRowsSql(p, req.exchange, `ev WHERE event = ${n(name)}`)
  const [given] = num(summary.refund_events)
    ? await reader.rows(
        `WITH ${ev}, refunds AS (${orderRows('orderRefunded')}), orders AS (${orderRows('orderCompleted')})
        ${givenBackSql()}`,
        p,
      )
    : []
  const timeline = await reader.rows(
    `WITH ${ev}
    SELECT timestamp, type, event, path, channel, revenue, currency
    FROM ev ORDER BY timestamp DESC, event_id LIMIT ${p.add(req.timelineLimit, 'UInt32')}`,
    p,
  )
  const traits: Record<string, unknown> = {}
  for (const t of summary.traits_list as string[]) Object.assign(traits, safeJson(t))
  const orders = num(summary.orders)
  const revenue = num(summary.order_revenue)
  return {
    person,
    userIds: summary.user_ids as string[],
    anonymousIds: summary.anonymous_ids as string[],
    traits,
    firstSeen: String(summary.first_seen),
    lastSeen: String(summary.last_seen),
    events: num(summary.events),
    sessions: num(summary.sessions),
    devices: devices.map((d) => ({
      deviceType: String(d.device_type),
      os: String(d.os),
      browser: String(d.browser),
      events: num(d.events),
      lastSeen: String(d.last_seen),
    })),
    location: {
      country: String(summary.last_country ?? ''),
      timezone: String(summary.last_timezone ?? ''),
      language: String(summary.last_language ?? ''),
      locale: String(summary.last_locale ?? ''),
    },
    channels: channels.map((c) => ({ channel: String(c.channel), sessions: num(c.sessions) })),
    email: {
      sent: num(summary.emails_sent),
      opens: num(summary.opens),
      machineOpens: num(summary.machine_opens),
      clicks: num(summary.clicks),
      scannerClicks: num(summary.scanner_clicks),
    },
    orders: {
      count: orders,
      revenue,
      averageOrderValue: orders > 0 ? revenue / orders : 0,
      currencies: summary.order_currencies as string[],
      refunds: num(given?.refunds),
      refunded: num(given?.amount),
      netRevenue: revenue - num(given?.amount),
    },
    nps: num(summary.nps_answers) > 0 ? { score: num(summary.nps), at: String(summary.nps_at) } : null,
    subscriptions: subscriptions.map((s) => ({
      subscriptionId: String(s.sub),
      plan: String(s.plan),
      active: Boolean(num(s.active_to)),
      startedAt: num(s.any_s) ? String(s.s_to) : null,
      cancelledAt: num(s.active_to) || !num(s.any_c) ? null : String(s.c_to),
      monthlyRevenue: num(s.mrr_to),
      currency: String(s.cur_to),
    })),
    support: {
      tickets: num(tickets?.tickets),
      open: num(tickets?.open),
      lastOpenedAt: num(tickets?.opened) > 0 ? String(tickets?.last_open) : null,
    },
    timeline: timeline.map((t) => ({
      timestamp: String(t.timestamp),
      type: String(t.type),
      event: String(t.event),
      path: String(t.path),
      channel: String(t.channel),
      revenue: t.revenue === null ? null : num(t.revenue),
      currency: String(t.currency),
    })),
  }
}

/** An anonymous id that identities link to a user is that user (the earliest link, as everywhere). */
async function resolve(reader: Reader, project: string, id: string): Promise<string> {
  const p = new QueryParams()
  const [row] = await reader.rows<{ user: string }>(
    `SELECT mapped_user AS user FROM (${identityMapSql(p.add(project, 'String'))})
    WHERE anonymous_id = ${p.add(id, 'String')}`,
    p,
  )
  return row?.user || id
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
