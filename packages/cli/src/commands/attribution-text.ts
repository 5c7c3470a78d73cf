import type { AttributionResult, Compared } from '@touchpoint/analytics'
import { counted, formatTable, formatPercent as pct } from '../table'
import { change, changeNote, comparedHead, rowsBefore, was } from './compare-text'
import { mixedNote, money } from './report-text'

type Model = AttributionResult['models'][number]
type Row = Model['rows'][number]

/** A return on ad spend as a multiple (2.40×), or '' where there was no cost. */
const times = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${x.toFixed(2)}×`)

/**
 * Attribution for a terminal: one model's credits by key, or every model's credited conversions side by side;
 * with ad spend in the range, each key's cost and the return on it, and the total spend beneath. `how` says how
 * to narrow the conversions to one currency where they mix several.
 */
export function attributionText(r: Compared<AttributionResult>, how: string): string {
  const p = r.previous
  const head = `${comparedHead(r)}${counted(r.conversions, 'conversion')}${changeNote(r.conversions, p?.conversions)}, ${r.netOfRefunds ? 'revenue kept after refunds' : 'revenue'} ${money(r.revenue, r.currencies)}${changeNote(r.revenue, p?.revenue)}, by ${r.by}`
  const note = mixedNote(r.currencies, how)
  const costs = r.spend?.currencies ?? []
  const spent = (x: Row) =>
    r.spend
      ? {
          cost: money(x.cost ?? 0, costs),
          ROAS: times(x.roas),
          'cost/conversion':
            x.costPerConversion === null || x.costPerConversion === undefined
              ? ''
              : money(x.costPerConversion, costs),
        }
      : {}
  const spend = r.spend
    ? `\n\nAd spend ${money(r.spend.cost, costs)} (${r.spend.clicks} clicks, ${r.spend.impressions} impressions): blended return ${times(r.spend.roas) || 'none'} (all revenue ÷ spend), ${r.spend.costPerConversion === null ? 'no conversions' : `${money(r.spend.costPerConversion, costs)} a conversion`}${mixedNote(costs, "set the project's currency and exchangeRates to add them up in one")}`
    : ''
  if (r.models.length === 1) {
    const m = r.models[0] as Model
    const before = rowsBefore(p?.models[0]?.rows, (x) => x.key)
    const table = formatTable(
      m.rows.map((x) => ({
        [r.by]: x.key,
        conversions: x.conversions.toFixed(2),
        ...(p && { 'Δ conversions': change(x.conversions, was(before(x.key), 'conversions')) }),
        revenue: money(x.revenue, r.currencies),
        ...(p && { 'Δ revenue': change(x.revenue, was(before(x.key), 'revenue')) }),
        share: pct(x.share),
        ...spent(x),
      })),
    )
    return `${head} (${m.model})\n${table}${spend}${note}`
  }
  const keys = [...new Set(r.models.flatMap((m) => m.rows.map((x) => x.key)))]
  const rows = keys.map((key) => {
    const row: Record<string, string> = { [r.by]: key }
    for (const m of r.models) row[m.model] = (m.rows.find((x) => x.key === key)?.conversions ?? 0).toFixed(2)
    const cost = r.models[0]?.rows.find((x) => x.key === key)?.cost
    if (r.spend) row.cost = money(cost ?? 0, costs)
    return row
  })
  const one = p ? '\nOne model (--model linear, say) sets each key beside the range before.' : ''
  return `${head} (credited conversions per model)\n${formatTable(rows)}${spend}${note}${one}`
}
