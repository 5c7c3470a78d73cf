import type { AcquisitionResult, AcquisitionRow } from '@touchpoint/analytics'
import { formatTable, formatPercent as pct } from '../table'
import { mixedNote, money } from './report-text'

const MIXED = "set the project's currency and exchangeRates to add them up in one"

/**
 * What the people each key first brought were worth, a row for each key and one for them all; with ad spend in
 * the range, what each key's ads cost, what acquiring a customer cost, and the return on it.
 */
export function acquisitionText(r: AcquisitionResult): string {
  const costs = r.spend?.currencies ?? []
  const line = (key: string, x: Omit<AcquisitionRow, 'key'>) => ({
    [`first ${r.by}`]: key,
    people: x.people,
    customers: x.customers,
    'conversion rate': pct(x.conversionRate),
    conversions: x.conversions,
    revenue: money(x.revenue, r.currencies),
    'revenue per person': money(x.revenuePerPerson, r.currencies),
    'days to convert (median)': x.medianDaysToConvert === null ? '' : x.medianDaysToConvert.toFixed(1),
    ...(r.spend && {
      cost: money(x.cost ?? 0, costs),
      'cost per customer':
        x.costPerCustomer === null || x.costPerCustomer === undefined ? '' : money(x.costPerCustomer, costs),
      ROAS: x.roas === null || x.roas === undefined ? '' : `${x.roas.toFixed(2)}×`,
    }),
  })
  const days = Math.round(r.horizonSeconds / 86_400)
  const head = `People whose first visit fell in the range, by its ${r.by}, and their conversions within ${days} days of it`
  const table = formatTable([...r.rows.map((x) => line(x.key, x)), line('(all)', r.total)])
  return `${head}\n${table}${mixedNote(r.currencies, MIXED)}${r.spend ? mixedNote(costs, MIXED) : ''}`
}
