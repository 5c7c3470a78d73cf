import type { Compared, ProductFigures, ProductRow, ProductsResult } from '@touchpoint/analytics'
import { counted, formatTable, formatPercent as pct } from '../table'
import { change, comparedHead, rowsBefore, was } from './compare-text'
import { mixedNote, money } from './report-text'

/**
 * What sold, by product or category, the most revenue first, and a row of every line; with --compare, the change
 * of each one's quantity and revenue; when the range's refunds gave any back, the units returned, their value and
 * the return rate.
 */
export function productsText(r: Compared<ProductsResult>): string {
  if (!r.total.orders) return `${comparedHead(r)}no orders with products (properties.products) in the range`
  const before = rowsBefore(r.previous?.rows, (x) => x.key)
  const byProduct = r.by === 'product'
  const returns = r.total.returned > 0
  const line = (
    key: string,
    x: ProductFigures & Partial<ProductRow>,
    b: Partial<ProductFigures> | undefined,
  ) => ({
    [r.by]: key,
    ...(byProduct && { name: x.name ?? '', category: x.category ?? '' }),
    orders: x.orders,
    quantity: x.quantity,
    ...(b && { 'Δ quantity': change(x.quantity, was(b, 'quantity')) }),
    revenue: money(x.revenue, r.currencies),
    ...(b && { 'Δ revenue': change(x.revenue, was(b, 'revenue')) }),
    'average price': money(x.averagePrice, r.currencies),
    customers: x.customers,
    ...(returns && {
      returned: x.returned,
      refunded: money(x.refunded, r.currencies),
      'return rate': pct(x.returnRate),
    }),
  })
  const table = formatTable([
    ...r.rows.map((x) => line(x.key, x, before(x.key))),
    line('(all)', r.total, r.previous?.total),
  ])
  const more = r.total.keys - r.rows.length
  const hint =
    more > 0
      ? `\n\n${byProduct ? counted(more, 'more product', 'more products') : counted(more, 'more category', 'more categories')}; --limit N lists more`
      : ''
  const mixed = mixedNote(r.currencies, "set the project's currency and exchangeRates to add them up in one")
  return `${comparedHead(r)}${table}${hint}${mixed}`
}
