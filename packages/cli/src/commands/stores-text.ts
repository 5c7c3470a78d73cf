import type { Compared, StoreFigures, StoreRow, StoresResult } from '@touchpoint/analytics'
import { counted, formatTable } from '../table'
import { change, comparedHead, rowsBefore, was } from './compare-text'
import { mixedNote, money } from './report-text'

/** The shops: each store's visits beside its orders, and a row of them all; with --compare, each one's change. */
export function storesText(r: Compared<StoresResult>): string {
  if (!r.rows.length) return `${comparedHead(r)}no store visits or store orders (storeId) in the range`
  const before = rowsBefore(r.previous?.rows, (x) => x.storeId)
  const line = (store: string, x: StoreFigures, b: Partial<StoreRow> | undefined) => ({
    store,
    visits: x.visits,
    ...(b && { 'Δ visits': change(x.visits, was(b, 'visits')) }),
    visitors: x.visitors,
    'visit (median)': x.medianMinutes === null ? '' : `${x.medianMinutes.toFixed(0)} min`,
    orders: x.orders,
    revenue: money(x.revenue, r.currencies),
    ...(b && { 'Δ revenue': change(x.revenue, was(b, 'revenue')) }),
    buyers: x.buyers,
  })
  const table = formatTable([
    ...r.rows.map((x) => line(x.storeId, x, before(x.storeId))),
    line('(all)', r.total, r.previous?.total),
  ])
  const more = r.total.stores - r.rows.length
  const mixed = mixedNote(r.currencies, "set the project's currency and exchangeRates to add them up in one")
  return `${comparedHead(r)}${table}${more > 0 ? `\n\n${counted(more, 'more store')}; --limit N lists more` : ''}${mixed}`
}
