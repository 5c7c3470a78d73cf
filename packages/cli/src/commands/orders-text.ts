import type { Compared, OrdersResult } from '@touchpoint/analytics'
import { formatTable, NOT_SET } from '../table'
import { change, comparedHead, figuresTable, pointsChange, rowsBefore, share, was } from './compare-text'
import { mixedNote, money } from './report-text'

/**
 * The orders report: its figures (with --compare, a row for the range before and one for the change), the orders
 * in each currency where they were sent in several, and by the order's channel.
 */
export function ordersText(r: Compared<OrdersResult>): string {
  const figures = (x: OrdersResult) => ({
    orders: x.orders,
    revenue: money(x.revenue, x.currencies),
    'average order': x.orders ? money(x.averageOrderValue, x.currencies) : '',
    customers: x.customers,
    'repeat purchase': share(x.repeatPurchaseRate, x.customers),
    'checkout abandonment': share(x.checkout.abandonmentRate, x.checkout.started),
    refunded: money(x.refunds.amount, x.currencies),
    'net revenue': money(x.netRevenue, x.currencies),
  })
  const p = r.previous
  const summary = figuresTable(r, figures, (now, before) => ({
    orders: change(now.orders, before.orders),
    revenue: change(now.revenue, before.revenue),
    'average order': change(now.averageOrderValue, before.averageOrderValue, [now.orders, before.orders]),
    customers: change(now.customers, before.customers),
    'repeat purchase': pointsChange(now.repeatPurchaseRate, before.repeatPurchaseRate, [
      now.customers,
      before.customers,
    ]),
    'checkout abandonment': pointsChange(now.checkout.abandonmentRate, before.checkout.abandonmentRate, [
      now.checkout.started,
      before.checkout.started,
    ]),
    refunded: change(now.refunds.amount, before.refunds.amount),
    'net revenue': change(now.netRevenue, before.netRevenue),
  }))
  // each currency the orders were sent in, and with the project's exchange what it came to
  const sentIn = r.byCurrency.map((c) => ({
    currency: c.currency || NOT_SET,
    orders: c.orders,
    revenue: money(c.revenue),
    ...(c.converted !== undefined && { converted: money(c.converted, r.currencies) }),
  }))
  const byCurrency =
    r.byCurrency.filter((c) => c.currency).length > 1 ? `\n\nBy currency\n${formatTable(sentIn)}` : ''
  const before = rowsBefore(p?.byChannel, (c) => c.channel)
  const byChannel = formatTable(
    r.byChannel.map((c) => ({
      channel: c.channel || NOT_SET,
      orders: c.orders,
      ...(p && { 'Δ orders': change(c.orders, was(before(c.channel), 'orders')) }),
      revenue: money(c.revenue, r.currencies),
      ...(p && { 'Δ revenue': change(c.revenue, was(before(c.channel), 'revenue')) }),
    })),
  )
  const mixed = mixedNote(r.currencies, 'the table by currency gives each apart')
  const refunds = r.refunds.refunds
    ? `\n\n${r.refunds.refunds} ${r.refunds.refunds === 1 ? 'refund' : 'refunds'} in the range (Order Refunded) gave back ${money(r.refunds.amount, r.currencies)} of ${r.refunds.orders} ${r.refunds.orders === 1 ? 'order' : 'orders'}, whichever range ${r.refunds.orders === 1 ? 'it was' : 'they were'} placed in.`
    : ''
  return `${comparedHead(r)}${summary}${refunds}${byCurrency}\n\nBy the order's channel (properties.channel)\n${byChannel}${mixed}`
}
