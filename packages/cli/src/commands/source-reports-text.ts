import type {
  AcquisitionResult,
  AcquisitionRow,
  Compared,
  TrafficResult,
  TrafficRow,
} from '@touchpoint/analytics'
import { formatTable, formatSeconds as secs } from '../table'
import { change, comparedHead, pointsChange, rowsBefore, share, was } from './compare-text'
import { mixedNote, money } from './report-text'

// The texts of the reports by where visits came from (traffic, acquisition), each with its ads' cost when recorded

const MIXED = "set the project's currency and exchangeRates to add them up in one"

/** A figure per unit of cost, or '' where there was nothing to divide. */
const perCost = (x: number | null | undefined, currencies: string[]) =>
  x === null || x === undefined ? '' : money(x, currencies)
const times = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${x.toFixed(2)}×`)

/** The revenue column's heading: `revenue kept` when it is net of refunds. */
export const revenueColumn = (netOfRefunds: boolean | undefined) =>
  netOfRefunds ? 'revenue kept' : 'revenue'

/**
 * Sessions by where they came from (or their device, browser, OS, landing page), a row for each key and one for
 * them all; by a key ads are tagged with and with ad spend in the range, each key's cost per session and return.
 * `how` says how to narrow the conversions to one currency where they mix several.
 */
export function trafficText(r: Compared<TrafficResult>, how: string): string {
  const costs = r.spend?.currencies ?? []
  const before = rowsBefore(r.previous?.rows, (x) => x.key)
  const line = (key: string, t: Omit<TrafficRow, 'key'>, b: Partial<TrafficRow> | undefined) => ({
    [r.by]: key,
    sessions: t.sessions,
    ...(b && { 'Δ sessions': change(t.sessions, was(b, 'sessions')) }),
    visitors: t.visitors,
    'bounce rate': share(t.bounceRate, t.sessions),
    'length (median)': secs(t.medianDurationSeconds),
    'converting sessions': t.convertingSessions,
    'conversion rate': share(t.conversionRate, t.sessions),
    ...(b && {
      'Δ rate': pointsChange(t.conversionRate, was(b, 'conversionRate'), [t.sessions, was(b, 'sessions')!]),
    }),
    conversions: t.conversions,
    [revenueColumn(r.netOfRefunds)]: money(t.revenue, t.currencies),
    ...(b && { 'Δ revenue': change(t.revenue, was(b, 'revenue')) }),
    ...(r.spend && {
      cost: money(t.cost ?? 0, costs),
      'cost per session': perCost(t.costPerSession, costs),
      ROAS: times(t.roas),
    }),
  })
  const table = formatTable([
    ...r.rows.map((x) => line(x.key, x, before(x.key))),
    line('(all)', r.total, r.previous?.total),
  ])
  return `${comparedHead(r)}${table}${mixedNote(r.total.currencies, how)}${r.spend ? mixedNote(costs, MIXED) : ''}`
}

/**
 * What the people each key first brought were worth, a row for each key and one for them all; with ad spend in
 * the range, what each key's ads cost, what acquiring a customer cost, and the return on it.
 */
export function acquisitionText(r: Compared<AcquisitionResult>): string {
  const costs = r.spend?.currencies ?? []
  const before = rowsBefore(r.previous?.rows, (x) => x.key)
  const line = (key: string, x: Omit<AcquisitionRow, 'key'>, b: Partial<AcquisitionRow> | undefined) => ({
    [`first ${r.by}`]: key,
    people: x.people,
    ...(b && { 'Δ people': change(x.people, was(b, 'people')) }),
    customers: x.customers,
    ...(b && { 'Δ customers': change(x.customers, was(b, 'customers')) }),
    'conversion rate': share(x.conversionRate, x.people),
    conversions: x.conversions,
    revenue: money(x.revenue, r.currencies),
    ...(b && { 'Δ revenue': change(x.revenue, was(b, 'revenue')) }),
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
  const head = `People whose first visit fell in the range, by its ${r.by}, and their conversions within ${days} days of it${r.netOfRefunds ? ' (revenue kept after refunds)' : ''}`
  const table = formatTable([
    ...r.rows.map((x) => line(x.key, x, before(x.key))),
    line('(all)', r.total, r.previous?.total),
  ])
  return `${comparedHead(r)}${head}\n${table}${mixedNote(r.currencies, MIXED)}${r.spend ? mixedNote(costs, MIXED) : ''}`
}
