import { TABLES } from '@touchpoint/clickhouse'
import { EVENT_NAMES } from '@touchpoint/schema'
import { convertedSql } from '../currencies'
import type { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import type { Exchange } from '../request-parts'
import { ORDER_ID_FIELD, orderKeySql, rangeRefundsWhere } from './refunds'

/** What came back of a product (or a category) in a range. */
export interface Returned {
  /** units given back by the range's refunds */
  returned: number
  /** their value: each returned line's price × quantity (converted at the refund's time with an exchange) */
  refunded: number
}

const PRICE = `toFloat64(ifNull(JSONExtract(item, 'price', 'Nullable(Float64)'), 0))`
const QTY = `ifNull(JSONExtract(item, 'quantity', 'Nullable(Float64)'), 1.)`

/**
 * The products the `Order Refunded` events of [from, to) gave back, by `productId`, or by category when `byCategory`
 * (`(none)` for a line without one). A refund's lines are its own `products`; a refund without lines and without
 * revenue (the whole order) gives back every line of its order (the `Order Completed` of its `orderId` up to `to`),
 * at the order's prices. A partial refund without lines names no product and counts only in the orders report. No
 * order gives back more of a product than it held (when Touchpoint has the order): a whole refund after partial
 * ones gives the rest, and refunds of it before the range count only towards what it had left. Each event id once;
 * bots' events left out. A returned line's category is its own, or else its order's line's.
 */
export async function productReturns(
  reader: Reader,
  p: QueryParams,
  req: { project: string; from: Date; to: Date; exchange?: Exchange | undefined; byCategory: boolean },
): Promise<Map<string, Returned>> {
  const [from, to] = [p.time(req.from), p.time(req.to)]
  const events = (event: string) =>
    `${TABLES.events} WHERE project_id = ${p.add(req.project, 'String')} AND is_bot = 0
      AND event = ${p.add(event, 'String')} AND timestamp < ${to}`
  const oneEach = (where: string) => `SELECT event_id, any(timestamp) AS t, any(currency) AS cur,
      any(properties) AS props, isNull(any(revenue)) AS whole, JSONExtractString(props, 'orderId') AS oid
    FROM ${where} GROUP BY event_id`
  const line = (
    time: string,
  ) => `JSONExtractString(item, 'productId') AS pid, JSONExtractString(item, 'category') AS cat,
      ${QTY} AS qty, ${convertedSql(p, req.exchange, `${PRICE} * ${QTY}`, 'cur', time)} AS value`
  const rows = await reader.rows(
    `WITH
    -- the range's refunds, and the earlier ones of the same orders
    refunds AS (${oneEach(`${events(EVENT_NAMES.orderRefunded)} AND ${rangeRefundsWhere(p, req)}`)}),
    -- each refunded order's lines (the order once), by product
    ordered AS (SELECT oid, pid, argMax(cat, t) AS cat, sum(qty) AS qty, sum(value) AS value
      FROM (SELECT oid, t, ${line('t')} FROM (${oneEach(`${events(EVENT_NAMES.orderCompleted)}
          AND ${ORDER_ID_FIELD} IN (SELECT oid FROM refunds WHERE oid != '')`)} ORDER BY t LIMIT 1 BY oid)
        ARRAY JOIN JSONExtractArrayRaw(props, 'products') AS item)
      GROUP BY oid, pid),
    -- the lines the refunds name, by order and product (a refund without an orderId an order of its own)
    lines AS (SELECT k, pid, any(cat) AS own_cat, countIf(NOT b) AS n, sum(qty) AS q, sumIf(qty, b) AS q_before,
        sum(value) AS v, sumIf(value, b) AS v_before
      FROM (SELECT ${orderKeySql('oid')} AS k, t < ${from} AS b, ${line('t')}
        FROM refunds ARRAY JOIN JSONExtractArrayRaw(props, 'products') AS item)
      GROUP BY k, pid),
    -- the orders given back whole by a refund without lines
    wholes AS (SELECT oid, countIf(t >= ${from}) AS wn, max(t < ${from}) AS w_before
      FROM refunds WHERE whole AND JSONLength(props, 'products') = 0 AND oid != '' GROUP BY oid),
    -- each order's lines beside what its refunds name of them (ordered read once)
    pairs AS (SELECT if(l.k != '', l.k, o.oid) AS k, if(l.k != '', l.pid, o.pid) AS pid, l.own_cat AS own_cat,
        l.n AS n, l.q AS q, l.q_before AS q_before, l.v AS v, l.v_before AS v_before,
        o.found AS found, o.qty AS oq, o.value AS ov, o.cat AS ocat
      FROM lines AS l FULL OUTER JOIN (SELECT *, 1 AS found FROM ordered) AS o ON o.oid = l.k AND o.pid = l.pid)
    SELECT ${req.byCategory ? `if(c = '', '(none)', c)` : 'pid'} AS key,
      sum(if(found, least(if(all_w, oq, q), oq) - least(if(w_before, oq, q_before), oq), q - q_before)) AS returned,
      sum(if(found, least(if(all_w, ov, v), ov) - least(if(w_before, ov, v_before), ov), v - v_before)) AS refunded
    FROM (SELECT pairs.*, w.oid != '' AS all_w, w.w_before AS w_before, if(own_cat != '', own_cat, ocat) AS c
      FROM pairs LEFT JOIN wholes AS w ON w.oid = pairs.k
      WHERE pairs.n + w.wn > 0)
    GROUP BY key`,
    p,
  )
  return new Map(rows.map((r) => [String(r.key), { returned: num(r.returned), refunded: num(r.refunded) }]))
}
