import { EVENT_NAMES } from '@touchpoint/schema'
import { eventRevenueSql, reportedCurrencySql } from '../currencies'
import { latestTraits } from '../latest-traits'
import { QueryParams } from '../params'
import { ALL_TIME, eventsWithPerson, onePerEventSql } from '../people'
import { num, type Reader } from '../reader'
import { type CUSTOMER_GROUPS, type CustomersRequest, customersRequest } from '../requests'
import { keptRevenueSql, ORDER_ID } from './refunds'

type CustomerGroup = (typeof CUSTOMER_GROUPS)[number]

export interface CustomerRow {
  /** the person's user id, or their anonymous id when they never identified */
  person: string
  /** their orders in the range, and the revenue of those orders */
  orders: number
  revenue: number
  /** their orders ever (up to the range's end), and the revenue of those */
  lifetimeOrders: number
  lifetimeRevenue: number
  /** lifetimeRevenue ÷ lifetimeOrders */
  averageOrder: number
  /** their first order ever and their latest, up to the range's end */
  firstOrderAt: string
  lastOrderAt: string
  /** whole days from their latest order to the range's end (or to now, for a range that ends later) */
  daysSinceLastOrder: number
  /** with `traits`: the latest value each was sent with, null for one never sent */
  traits?: Record<string, string | null>
}

export interface CustomersResult {
  /** how many customers each group holds: ordered in the range, of them first ever or again, and lapsed */
  groups: { active: number; new: number; returning: number; lapsed: number }
  who: CustomerGroup
  sort: string
  /**
   * how many the group holds, and how many of them the list skipped; with `after`, the list holds those whose id
   * comes after it, in the ids' order (a page's last person is the next page's `after`)
   */
  total: number
  offset: number
  /** the revenue's currencies (orders of the range and before it) */
  currencies: string[]
  /** each order's revenue is what it kept after refunds (netOfRefunds), not what it was ordered at */
  netOfRefunds: boolean
  customers: CustomerRow[]
}

const WHO = {
  active: 'in_orders > 0',
  new: 'in_orders > 0 AND first_at >= {from}',
  returning: 'in_orders > 0 AND first_at < {from}',
  lapsed: 'in_orders = 0',
} as const
const SORT = {
  revenue: 'in_revenue',
  orders: 'in_orders',
  lifetimeRevenue: 'lifetime_revenue',
  lastOrder: 'last_at',
}
const DAY = 86_400_000
const iso = (ms: unknown) => new Date(num(ms)).toISOString()

/**
 * The customers: everyone with an `Order Completed` up to the range's end (identity resolved, each event id once),
 * with their orders and revenue in the range and ever, their first and latest order, and how long ago that was;
 * counted in groups (who ordered in the range, of them for the first time or again, and who ordered before it and
 * not in it), and listed for one group, the most valuable first, a page at a time, with the traits asked for (an
 * email address to write to). With `netOfRefunds`, each order counts what it kept after the refunds made of it
 * (keptRevenueSql), so a customer who sent everything back is worth nothing. Reads every order of the project's
 * history up to the range's end: the events' sort key lets ClickHouse skip to the one event name.
 */
export async function customers(reader: Reader, input: CustomersRequest): Promise<CustomersResult> {
  const req = customersRequest.parse(input)
  const p = new QueryParams()
  const from = p.time(req.from)
  const orders = eventsWithPerson(
    p,
    {
      project: req.project,
      from: ALL_TIME.from,
      to: req.to,
      where: `e.event = ${p.add(EVENT_NAMES.orderCompleted, 'String')}`,
    },
    `e.event_id AS event_id, e.timestamp AS timestamp, e.revenue AS revenue, e.currency AS currency${req.netOfRefunds ? ', e.properties AS properties' : ''}`,
  )
  const cur = `${reportedCurrencySql(p, req.exchange, 'any(sent_currency)')} AS cur`
  const revenue = eventRevenueSql(p, req.exchange)
  const o = req.netOfRefunds
    ? keptRevenueSql(
        p,
        { ...req, from: ALL_TIME.from },
        onePerEventSql(`(${orders})`, '', `${cur}, ${ORDER_ID}`, revenue),
        'c.event_id AS event_id, c.person AS person, c.at AS at, c.cur AS cur',
      )
    : onePerEventSql(`(${orders})`, '', cur, revenue)
  const perCustomer = `SELECT person, countIf(at >= ${from}) AS in_orders, sumIf(revenue, at >= ${from}) AS in_revenue,
      count() AS lifetime_orders, sum(revenue) AS lifetime_revenue, min(at) AS first_at, max(at) AS last_at,
      groupUniqArrayIf(cur, cur != '') AS curs
    FROM (${o}) GROUP BY person`
  const who = WHO[req.who].replaceAll('{from}', from)
  const sort = req.sort ?? (req.who === 'lapsed' ? 'lifetimeRevenue' : 'revenue')
  const [summary] = await reader.rows(
    `SELECT ${Object.entries(WHO)
      .map(([group, where]) => `countIf(${where.replaceAll('{from}', from)}) AS ${group}`)
      .join(', ')}, arraySort(groupUniqArrayArray(curs)) AS cur
    FROM (${perCustomer})`,
    p,
  )
  const rows = await reader.rows(
    `SELECT person, in_orders, in_revenue, lifetime_orders, lifetime_revenue,
      toUnixTimestamp64Milli(first_at) AS first_ms, toUnixTimestamp64Milli(last_at) AS last_ms
    FROM (${perCustomer}) WHERE (${who})
    ${
      req.after === undefined
        ? `ORDER BY ${SORT[sort]} DESC, person LIMIT ${p.add(req.limit, 'UInt32')} OFFSET ${p.add(req.offset, 'UInt32')}`
        : `AND person > ${p.add(req.after, 'String')} ORDER BY person LIMIT ${p.add(req.limit, 'UInt32')}`
    }`,
    p,
  )
  const traits = await latestTraits(
    reader,
    req.project,
    rows.map((r) => String(r.person)),
    req.traits,
  )
  const groups = {
    active: num(summary?.active),
    new: num(summary?.new),
    returning: num(summary?.returning),
    lapsed: num(summary?.lapsed),
  }
  const end = Math.min(req.to.getTime(), Date.now())
  return {
    groups,
    who: req.who,
    sort,
    total: groups[req.who],
    offset: req.offset,
    netOfRefunds: req.netOfRefunds,
    currencies: (summary?.cur as string[] | undefined) ?? [],
    customers: rows.map((r) => {
      const lifetimeOrders = num(r.lifetime_orders)
      const lastOrderAt = iso(r.last_ms)
      return {
        person: String(r.person),
        orders: num(r.in_orders),
        revenue: num(r.in_revenue),
        lifetimeOrders,
        lifetimeRevenue: num(r.lifetime_revenue),
        averageOrder: lifetimeOrders > 0 ? num(r.lifetime_revenue) / lifetimeOrders : 0,
        firstOrderAt: iso(r.first_ms),
        lastOrderAt,
        daysSinceLastOrder: Math.max(0, Math.floor((end - Date.parse(lastOrderAt)) / DAY)),
        ...(traits && {
          traits: traits(String(r.person)),
        }),
      }
    }),
  }
}
