import { TABLES } from '@touchpoint/clickhouse'
import { type Currencies, convertedSql, currenciesAgg, reportedCurrencySql } from '../currencies'
import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import type { Exchange } from '../requests'
import type { AttributionKey } from './touches'

/** What the ads of one key (or all of them) cost in a range, and the clicks and impressions they had. */
export interface Spend {
  cost: number
  clicks: number
  impressions: number
}

export interface SpendResult {
  total: Spend
  byKey: Map<string, Spend>
  /** the currencies of the cost (currencies.ts): with more than one, `cost` mixes them */
  currencies: Currencies
}

/**
 * A spend row's key, as attribution keys a touch (touches.ts, KEY_EXPR): the tags of the ads' links are what a
 * visit from them carries, so a campaign's cost and the revenue credited to it meet on the same key.
 */
const SPEND_KEY: Record<AttributionKey, string> = {
  channel: `if(channel = '', 'Direct', channel)`,
  source: 'source',
  medium: `if(medium = '', '(none)', medium)`,
  campaign: `if(campaign = '', '(none)', campaign)`,
}

export interface SpendQuery {
  project: string
  from: Date
  to: Date
  timezone: string
  by: AttributionKey
  exchange?: Exchange | undefined
}

/**
 * The ad spend of a range (TABLES.adSpend, migration 9) by attribution key: the days from `from`'s to the one
 * before `to`'s, in the request's time zone (an ad platform reports by its account's day), each day's row of a
 * campaign as last sent (FINAL). Cost is in the exchange currency with one, at the day's rate. Undefined when the
 * project recorded no spend in the range.
 */
export async function spendOf(reader: Reader, q: SpendQuery): Promise<SpendResult | undefined> {
  const p = new QueryParams()
  const tz = p.add(q.timezone, 'String')
  const dayTime = `toDateTime64(day, 3, 'UTC')`
  const cost = convertedSql(p, q.exchange, 'toFloat64(cost)', 'currency', dayTime)
  const rows = await reader.rows(
    `SELECT grouping(key) AS is_total, key, sum(${cost}) AS cost, sum(clicks) AS clicks,
      sum(impressions) AS impressions, ${currenciesAgg(reportedCurrencySql(p, q.exchange, 'currency'))} AS currencies
    FROM (SELECT *, ${SPEND_KEY[q.by]} AS key FROM ${TABLES.adSpend} FINAL
      WHERE project_id = ${p.add(q.project, 'String')}
        AND day >= toDate(${p.time(q.from)}, ${tz}) AND day < toDate(${p.time(q.to)}, ${tz}))
    GROUP BY GROUPING SETS ((key), ())`,
    p,
  )
  const total = rows.find((r) => num(r.is_total) === 1)
  if (!total || rows.length === 1) return undefined
  const spend = (r: Record<string, unknown>): Spend => ({
    cost: num(r.cost),
    clicks: num(r.clicks),
    impressions: num(r.impressions),
  })
  return {
    total: spend(total),
    byKey: new Map(rows.filter((r) => num(r.is_total) === 0).map((r) => [String(r.key), spend(r)])),
    currencies: (total.currencies as string[] | undefined) ?? [],
  }
}

/**
 * A report's rows by key with each key's cost beside them (0 for a key with no spend) and the figures `figures`
 * works out from a row and its cost; a key with spend and no row gets one of its own (`nobody`'s figures), after
 * the others, in key order: ads that cost money and brought nothing are what a reader most needs to see.
 */
export function withCosts<R extends { key: string }, F>(
  rows: readonly R[],
  spend: SpendResult,
  nobody: Omit<R, 'key'>,
  figures: (row: Omit<R, 'key'>, cost: number) => F,
): Array<R & F & { cost: number }> {
  const seen = new Set(rows.map((r) => r.key))
  const uncredited = [...spend.byKey.keys()]
    .filter((key) => !seen.has(key))
    .sort()
    .map((key) => ({ ...nobody, key }) as R)
  return [...rows, ...uncredited].map((r) => {
    const cost = spend.byKey.get(r.key)?.cost ?? 0
    return { ...r, cost, ...figures(r, cost) }
  })
}

/**
 * A report of rows by key and a total (traffic, acquisition) with the spend set on both (withCosts) and given
 * whole as `spend`.
 */
export function withSpend<R extends { key: string }, T extends { rows: R[]; total: Omit<R, 'key'> }, F>(
  report: T,
  spend: SpendResult,
  nobody: Omit<R, 'key'>,
  figures: (row: Omit<R, 'key'>, cost: number) => F,
): T & { spend: Spend & { currencies: Currencies } } {
  const cost = spend.total.cost
  return {
    ...report,
    rows: withCosts(report.rows, spend, nobody, figures),
    total: { ...report.total, cost, ...figures(report.total, cost) },
    spend: { ...spend.total, currencies: spend.currencies },
  }
}
