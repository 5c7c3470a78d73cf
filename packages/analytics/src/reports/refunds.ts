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
  const project = p.add(req.project, 'String')
  const to = p.time(req.to)
  const oneEach = (event: string, where: string) => `SELECT event_id,
      any(JSONExtractString(properties, 'orderId')) AS order_id, isNull(any(sent_revenue)) AS whole,
      ${eventRevenueSql(p, req.exchange)} AS revenue
    FROM (SELECT event_id, properties, timestamp, revenue AS sent_revenue, currency AS sent_currency
      FROM ${TABLES.events}
      WHERE project_id = ${project} AND event = ${p.add(event, 'String')} AND is_bot = 0 AND ${where})
    GROUP BY event_id`
  const refunds = oneEach(EVENT_NAMES.orderRefunded, `timestamp >= ${p.time(req.from)} AND timestamp < ${to}`)
  const orders = oneEach(
    EVENT_NAMES.orderCompleted,
    `timestamp < ${to} AND JSONExtractString(properties, 'orderId') IN (SELECT order_id FROM refunds WHERE whole)`,
  )
  const [row] = await reader.rows(
    `WITH refunds AS (${refunds}),
      refunded AS (SELECT order_id, any(revenue) AS revenue FROM (${orders}) GROUP BY order_id)
    SELECT count() AS refunds, uniqExact(r.order_id) AS orders, sum(if(r.whole, o.revenue, r.revenue)) AS amount
    FROM refunds AS r LEFT JOIN refunded AS o ON o.order_id = r.order_id`,
    p,
  )
  return { refunds: num(row?.refunds), orders: num(row?.orders), amount: num(row?.amount) }
}
