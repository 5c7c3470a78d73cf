import type { Compared, CustomersResult } from '@touchpoint/analytics'
import { counted, formatTable } from '../table'
import { changeNote, comparedHead } from './compare-text'
import { mixedNote, money, quoted, traitColumns } from './report-text'

const GROUP_TEXT = {
  active: 'who ordered in the range',
  new: 'whose first order was in the range',
  returning: 'who ordered in the range and before it',
  lapsed: 'who ordered before the range and not in it',
} as const
const SORT_TEXT: Record<string, string> = {
  revenue: 'revenue in the range',
  orders: 'orders in the range',
  lifetimeRevenue: 'revenue ever',
  lastOrder: 'latest order',
}

/**
 * The customers report: how many ordered in the range (first time or again) and how many lapsed, beside the range
 * before's with --compare, then the group asked for, the most valuable first.
 */
export function customersText(r: Compared<CustomersResult>): string {
  const g = r.groups
  const b = r.previous?.groups
  const counts = `${counted(g.active, 'customer')} ordered in the range${changeNote(g.active, b?.active)}: ${g.new} for the first time${changeNote(g.new, b?.new)}, ${g.returning} again${changeNote(g.returning, b?.returning)}; ${g.lapsed} lapsed${changeNote(g.lapsed, b?.lapsed)}, who ordered before it and not in it`
  const head = `${comparedHead(r)}${counts}`
  if (!r.customers.length)
    return `${head}\n\nnobody ${GROUP_TEXT[r.who]}${r.offset ? ' past that offset' : ''}`
  const table = formatTable(
    r.customers.map((c) => ({
      person: c.person,
      orders: c.orders,
      revenue: money(c.revenue, r.currencies),
      'orders ever': c.lifetimeOrders,
      'revenue ever': money(c.lifetimeRevenue, r.currencies),
      'average order': money(c.averageOrder, r.currencies),
      'first order (UTC)': c.firstOrderAt.slice(0, 10),
      'last order (UTC)': c.lastOrderAt.slice(0, 10),
      'days since': c.daysSinceLastOrder,
      ...traitColumns(c.traits),
    })),
  )
  const more = r.total - r.offset - r.customers.length
  const kept = r.netOfRefunds ? '; revenue kept after refunds' : ''
  const list = `Customers ${GROUP_TEXT[r.who]}, by ${SORT_TEXT[r.sort] ?? r.sort} (${r.offset + 1}–${r.offset + r.customers.length} of ${r.total}${kept})`
  const next =
    more > 0 ? `\n${more} more; --limit N lists more (up to 10000), --offset N skips the first N.` : ''
  const hint = `touchpoint profile ${quoted(r.customers[0]!.person)} shows one customer's whole journey`
  const mixed = mixedNote(r.currencies, "set the project's currency and exchangeRates to add them up in one")
  return `${head}\n\n${list}\n${table}\n${next}\n${hint}${mixed}`
}
