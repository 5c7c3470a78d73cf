import type { Compared, OrdersResult } from '@touchpoint/analytics'
import { formatTable, NOT_SET, formatPercent as pct } from '../table'
import { change, comparedHead, pointsChange, rowsBefore, was } from './compare-text'
import { mixedNote, money } from './report-text'

/**
 * The orders report: its figures (with --compare, a row for the range before and one for the change), the orders
 * in each currency where they were sent in several, and by the order's channel.
 */
export function ordersText(r: Compared<OrdersResult>): string {
  const figures = (x: OrdersResult) => ({
    orders: x.orders,
    revenue: money(x.revenue, x.currencies),
    'average order': money(x.averageOrderValue, x.currencies),
    customers: x.customers,
    'repeat purchase': pct(x.repeatPurchaseRate),
    'checkout abandonment': pct(x.checkout.abandonmentRate),
  })
  const p = r.previous
  const range = r.previousRange
  const summary =
    p && range
      ? formatTable([
          { range: 'this range', ...figures(r) },
          { range: `${range.from} – ${range.to}`, ...figures(p) },
          {
            range: 'Δ',
            orders: change(r.orders, p.orders),
            revenue: change(r.revenue, p.revenue),
            'average order': change(r.averageOrderValue, p.averageOrderValue),
            customers: change(r.customers, p.customers),
            'repeat purchase': pointsChange(r.repeatPurchaseRate, p.repeatPurchaseRate),
            'checkout abandonment': pointsChange(r.checkout.abandonmentRate, p.checkout.abandonmentRate),
          },
        ])
      : formatTable([figures(r)])
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
  return `${comparedHead(r)}${summary}${byCurrency}\n\nBy the order's channel (properties.channel)\n${byChannel}${mixed}`
}
