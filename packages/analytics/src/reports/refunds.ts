import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { eventRevenueSql } from '../currencies'
import type { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import type { Exchange } from '../request-parts'

export interface Refunds {
  /** `Order Refunded` events made in the range (each event id once), whichever range their order was in */
  refunds: number
  /** the different orders they gave back (by `orderId`) */
  orders: number
  /** what they gave back: each refund's `revenue`, or for a refund without one, its whole order's revenue */
  amount: number
}

/** An event's order, in a query grouped by event id: its `orderId` property ('' for none). */
export const ORDER_ID = `any(JSONExtractString(properties, 'orderId')) AS order_id`

/**
 * One row per event id of `source` (a table expression with the events table's event_id, properties, timestamp,
 * revenue and currency columns): its `order_id` (the `orderId` property), whether it sent no revenue (`whole`:
 * for a refund, the whole order given back) and its `revenue`, converted with the exchange at its own time.
 */
export function orderRowsSql(p: QueryParams, exchange: Exchange | undefined, source: string): string {
  return `SELECT event_id, ${ORDER_ID}, isNull(any(sent_revenue)) AS whole,
      ${eventRevenueSql(p, exchange)} AS revenue
    FROM (SELECT event_id, properties, timestamp, revenue AS sent_revenue, currency AS sent_currency FROM ${source})
    GROUP BY event_id`
}

/** orderRowsSql of the project's `event` events (bots left out) that meet `where`, a condition on the events table. */
export function orderEventsSql(
  p: QueryParams,
  q: { project: string; exchange?: Exchange | undefined },
  event: string,
  where: string,
): string {
  return orderRowsSql(
    p,
    q.exchange,
    `${TABLES.events} WHERE project_id = ${p.add(q.project, 'String')} AND event = ${p.add(event, 'String')}
      AND is_bot = 0 AND ${where}`,
  )
}

/**
 * What refunds gave back, from CTEs `refunds` and `orders` (orderRowsSql rows): how many refunds, how many
 * different orders, and the `amount`: each partial refund's revenue, and for a whole one its order's revenue
 * (the first row of its `orderId` among `orders`; nothing for an order not there).
 */
export const givenBackSql = `SELECT count() AS refunds, uniqExact(r.order_id) AS orders,
      sum(if(r.whole, o.revenue, r.revenue)) AS amount
    FROM refunds AS r
    LEFT JOIN (SELECT order_id, any(revenue) AS revenue FROM orders GROUP BY order_id) AS o ON o.order_id = r.order_id`

/**
 * What was given back of each order refunded from `from` on: one row per `order_id` with `whole` (a refund of
 * the whole order was made) and `amount` (the partial refunds' revenue, summed). What an order of revenue R
 * kept is then R less min(R, amount), or 0 when whole.
 */
export function refundedOrdersSql(
  p: QueryParams,
  q: { project: string; from: Date; exchange?: Exchange | undefined },
): string {
  const refunds = orderEventsSql(
    p,
    q,
    EVENT_NAMES.orderRefunded,
    `timestamp >= ${p.time(q.from)} AND JSONExtractString(properties, 'orderId') != ''`,
  )
  return `SELECT order_id, max(whole) AS whole, sum(revenue) AS amount FROM (${refunds}) GROUP BY order_id`
}

/**
 * `rows` (one per conversion, with `order_id` and `revenue` among its columns) with each `revenue` what its
 * order kept after the refunds made from `from` on: 0 after a whole refund, else less the partial ones, down to
 * 0. `columns` are the other columns to keep, as `c.name AS name`. A row without an `orderId` keeps its revenue.
 */
export function keptRevenueSql(
  p: QueryParams,
  q: { project: string; from: Date; exchange?: Exchange | undefined },
  rows: string,
  columns: string,
): string {
  return `SELECT ${columns}, if(r.whole, 0, greatest(c.revenue - r.amount, 0)) AS revenue
    FROM (${rows}) AS c LEFT JOIN (${refundedOrdersSql(p, q)}) AS r ON r.order_id = c.order_id`
}

/**
 * The refunds of the range, by when they were made: a partial refund's amount is its own `revenue` (converted
 * with an exchange at its time), a whole refund's (no revenue) is its order's, found by `orderId` among the
 * orders up to the range's end (converted at the order's time). Bots' events are left out.
 */
export async function refundsOf(
  reader: Reader,
  p: QueryParams,
  req: { project: string; from: Date; to: Date; exchange?: Exchange | undefined },
): Promise<Refunds> {
  const to = p.time(req.to)
  const oneEach = (event: string, where: string) => orderEventsSql(p, req, event, where)
  const refunds = oneEach(EVENT_NAMES.orderRefunded, `timestamp >= ${p.time(req.from)} AND timestamp < ${to}`)
  const orders = oneEach(
    EVENT_NAMES.orderCompleted,
    `timestamp < ${to} AND JSONExtractString(properties, 'orderId') IN (SELECT order_id FROM refunds WHERE whole)`,
  )
  const [row] = await reader.rows(`WITH refunds AS (${refunds}), orders AS (${orders}) ${givenBackSql}`, p)
  return { refunds: num(row?.refunds), orders: num(row?.orders), amount: num(row?.amount) }
}
