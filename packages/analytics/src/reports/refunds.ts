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

/** An event's `orderId` property ('' for none). */
export const ORDER_ID_FIELD = `JSONExtractString(properties, 'orderId')`

/** An event's order, in a query grouped by event id: its `orderId` property ('' for none). */
export const ORDER_ID = `any(${ORDER_ID_FIELD}) AS order_id`

/** The order a refund counts against: its `orderId`, or for one without, an order of its own (its event id). */
export const orderKeySql = (orderId: string) =>
  `if(${orderId} = '', concat('\\0', toString(event_id)), ${orderId})`

/**
 * A condition on the events table that picks, of a project's `Order Refunded` events before `to` (bots' left out),
 * those made in [from, to) and the earlier ones of the same orders, which tell what those orders had left.
 */
export function rangeRefundsWhere(p: QueryParams, q: { project: string; from: Date; to: Date }): string {
  const [from, to] = [p.time(q.from), p.time(q.to)]
  const inRange = `SELECT ${ORDER_ID_FIELD} FROM ${TABLES.events} WHERE project_id = ${p.add(q.project, 'String')}
    AND event = ${p.add(EVENT_NAMES.orderRefunded, 'String')} AND is_bot = 0 AND timestamp >= ${from} AND timestamp < ${to}`
  return `timestamp < ${to}
    AND (timestamp >= ${from} OR (${ORDER_ID_FIELD} != '' AND ${ORDER_ID_FIELD} IN (${inRange})))`
}

/**
 * One row per event id of `source` (a table expression with the events table's event_id, properties, timestamp,
 * revenue and currency columns): its `order_id` (the `orderId` property), its time (`at`), whether it sent no
 * revenue (`whole`: for a refund, the whole order given back) and its `revenue`, converted with the exchange at
 * its own time.
 */
export function orderRowsSql(p: QueryParams, exchange: Exchange | undefined, source: string): string {
  return `SELECT event_id, ${ORDER_ID}, any(timestamp) AS at, isNull(any(sent_revenue)) AS whole,
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
 * different orders, and the `amount`. An order gives back at most its revenue (the first row of its `orderId`
 * among `orders`), however its refunds add up: a partial refund gives its revenue, a whole one what the order
 * had left, and partial ones past the order's revenue nothing more. Refunds for which `before` (a condition on a
 * refund's time, `at`) holds are not counted; they only tell what their order had already given back. A refund
 * of an order not among `orders` gives its own revenue, or nothing when whole; one without an `orderId` is an
 * order of its own.
 */
export function givenBackSql(before = '0'): string {
  return `SELECT sum(r.n) AS refunds, count() AS orders,
      sum(if(o.found, least(if(r.all_whole, o.revenue, r.part), o.revenue)
          - least(if(r.whole_before, o.revenue, r.part_before), o.revenue), r.part - r.part_before)) AS amount
    FROM (SELECT ${orderKeySql('order_id')} AS k, countIf(NOT b) AS n, max(whole) AS all_whole, max(whole AND b) AS whole_before,
        sumIf(revenue, NOT whole) AS part, sumIf(revenue, NOT whole AND b) AS part_before
      FROM (SELECT *, ${before} AS b FROM refunds) GROUP BY k HAVING n > 0) AS r
    LEFT JOIN (SELECT order_id, any(revenue) AS revenue, 1 AS found FROM orders WHERE order_id != '' GROUP BY order_id)
      AS o ON o.order_id = r.k`
}

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
 * with an exchange at its time), a whole refund's (no revenue) is what its order had left, found by `orderId`
 * among the orders up to the range's end (converted at the order's time), after the refunds of it before the
 * range; no order gives back more than its revenue (givenBackSql). Bots' events are left out.
 */
export async function refundsOf(
  reader: Reader,
  p: QueryParams,
  req: { project: string; from: Date; to: Date; exchange?: Exchange | undefined },
): Promise<Refunds> {
  const oneEach = (event: string, where: string) => orderEventsSql(p, req, event, where)
  const refunds = oneEach(EVENT_NAMES.orderRefunded, rangeRefundsWhere(p, req))
  const orders = oneEach(
    EVENT_NAMES.orderCompleted,
    `timestamp < ${p.time(req.to)} AND ${ORDER_ID_FIELD} IN (SELECT order_id FROM refunds WHERE order_id != '')`,
  )
  const [row] = await reader.rows(
    `WITH refunds AS (${refunds}), orders AS (${orders}) ${givenBackSql(`at < ${p.time(req.from)}`)}`,
    p,
  )
  return { refunds: num(row?.refunds), orders: num(row?.orders), amount: num(row?.amount) }
}
