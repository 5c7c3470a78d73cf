import { EVENT_NAMES } from '@touchpoint/schema'
import { EVENT_COLUMNS } from '../columns'
import { type Currencies, eventRevenueSql, reportedCurrency } from '../currencies'
import { funnel } from '../funnel'
import { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql } from '../people'
import { num, type Reader } from '../reader'
import { type OrdersRequest, ordersRequest } from '../requests'
import { type Refunds, refundsOf } from './refunds'

export interface OrdersResult {
  orders: number
  revenue: number
  averageOrderValue: number
  customers: number
  /** Customers with two or more orders in the range, over customers with one or more. */
  repeatPurchaseRate: number
  /** The currencies the orders were placed in (currencies.ts): with more than one, see `byCurrency`. */
  currencies: Currencies
  /**
   * Orders and revenue in each currency they were sent in, the most revenue first; with an exchange, `converted`
   * is that revenue in its currency.
   */
  byCurrency: Array<{ currency: string; orders: number; revenue: number; converted?: number }>
  /** By the order's `channel` property (web, store, phone…; empty when not set). */
  byChannel: Array<{ channel: string; orders: number; revenue: number }>
  /** Cart abandonment: a funnel over the checkout events (default Checkout Started → Order Completed). */
  checkout: { started: number; completed: number; abandonmentRate: number }
  /** The refunds made in the range (`Order Refunded`), whichever range their orders were placed in. */
  refunds: Refunds
  /** revenue less the refunds' amount: what the range's sales came to, net of what it gave back */
  netRevenue: number
}

export async function orders(reader: Reader, input: OrdersRequest): Promise<OrdersResult> {
  const req = ordersRequest.parse(input)
  const p = new QueryParams()
  const base = eventsWithPerson(
    p,
    {
      project: req.project,
      from: req.from,
      to: req.to,
      where: `e.event = ${p.add(EVENT_NAMES.orderCompleted, 'String')}`,
    },
    EVENT_COLUMNS,
  )
  // revenue in the exchange's currency when there is one; amount, as it was sent
  const extra =
    "any(sent_currency) AS cur, any(JSONExtractString(properties, 'channel')) AS ch, toFloat64(ifNull(any(sent_revenue), 0)) AS amount"
  const o = `o AS (${onePerEventSql(`(${base})`, '', extra, eventRevenueSql(p, req.exchange))})`
  const [totals] = await reader.rows(
    `WITH ${o}
    SELECT sum(n) AS orders, sum(r) AS revenue, count() AS customers, countIf(n >= 2) AS repeat_customers
    FROM (SELECT person, count() AS n, sum(revenue) AS r FROM o GROUP BY person)`,
    p,
  )
  const byCurrency = (
    await reader.rows(
      `WITH ${o} SELECT cur AS currency, count() AS orders, sum(amount) AS sent, sum(revenue) AS converted
      FROM o GROUP BY cur ORDER BY converted DESC, cur`,
      p,
    )
  ).map((r) => ({
    currency: String(r.currency),
    orders: num(r.orders),
    revenue: num(r.sent),
    ...(req.exchange && { converted: num(r.converted) }),
  }))
  const byChannel = await reader.rows(
    `WITH ${o} SELECT ch AS channel, count() AS orders, sum(revenue) AS revenue FROM o GROUP BY ch ORDER BY revenue DESC, ch`,
    p,
  )
  const steps = req.checkout ?? [
    { event: EVENT_NAMES.checkoutStarted },
    { event: EVENT_NAMES.orderCompleted },
  ]
  const f = await funnel(reader, {
    project: req.project,
    from: req.from,
    to: req.to,
    steps,
    window: req.window,
  })
  const refunds = await refundsOf(reader, p, req)
  const started = f.steps[0]?.people ?? 0
  const completed = f.steps[f.steps.length - 1]?.people ?? 0
  const count = num(totals?.orders)
  const revenue = num(totals?.revenue)
  const customers = num(totals?.customers)
  return {
    orders: count,
    revenue,
    averageOrderValue: count > 0 ? revenue / count : 0,
    customers,
    repeatPurchaseRate: customers > 0 ? num(totals?.repeat_customers) / customers : 0,
    currencies: [...new Set(byCurrency.map((c) => reportedCurrency(req.exchange, c.currency)))]
      .filter((c) => c !== '')
      .sort(),
    byCurrency,
    byChannel: byChannel.map((r) => ({
      channel: String(r.channel),
      orders: num(r.orders),
      revenue: num(r.revenue),
    })),
    checkout: { started, completed, abandonmentRate: started > 0 ? 1 - completed / started : 0 },
    refunds,
    netRevenue: revenue - refunds.amount,
  }
}
