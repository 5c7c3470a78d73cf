import { TABLES } from '@touchpoint/clickhouse'
import { type EventMatch, matchExpr } from './fields'
import { QueryParams } from './params'
import type { Reader } from './reader'
import type { Exchange } from './requests'

/**
 * The currencies of the revenue a report adds up. Touchpoint stores each amount in the currency it was sent in,
 * and a sum over two currencies is no amount of either: every report that sums revenue
 * says which currencies went into it, and a caller that finds more than one narrows the conversion with a
 * `currency` filter (the CLI says so), or asks for an `exchange` (request-parts.ts): the amounts then add up in one
 * currency at the rates it gives.
 */
export type Currencies = string[]

/** SQL of the sorted distinct non-empty currencies of a column or expression, as an aggregate. */
export const currenciesAgg = (expr: string) => `arraySort(groupUniqArrayIf(${expr}, ${expr} != ''))`

/**
 * SQL of an amount in the exchange's currency: `amount` (a Float64 expression) sent in `currency` (a String
 * expression) at `time` (a DateTime64 expression, for rates by date) times that currency's rate; the amount as it
 * is without an exchange, in its own currency, or in one the exchange has no rate for.
 */
export function convertedSql(
  p: QueryParams,
  exchange: Exchange | undefined,
  amount: string,
  currency: string,
  time: string,
): string {
  const codes = Object.keys(exchange?.rates ?? {}).filter((c) => c !== exchange?.to)
  if (!exchange || codes.length === 0) return amount
  const fixed = codes.filter((c) => typeof exchange.rates[c] === 'number')
  const rateOf = fixed.length
    ? `transform(${currency}, ${p.add(fixed, 'Array(String)')}, ${p.add(
        fixed.map((c) => exchange.rates[c] as number),
        'Array(Float64)',
      )}, 1.)`
    : '1.'
  const dated = codes.filter((c) => typeof exchange.rates[c] !== 'number')
  if (!dated.length) return `(${amount}) * ${rateOf}`
  // a dated currency's rate: its rates of every day from its first date to its last, each day's the latest given,
  // looked up by the event's day (days before the first read the first, after the last the last)
  const day = `toInt64(toDate(${time}, 'UTC'))`
  const branches = dated.flatMap((c) => {
    const { first, daily } = everyDay(exchange.rates[c] as Record<string, number>)
    const index = `least(greatest(${day} - ${p.add(first, 'Int64')}, 0), ${p.add(daily.length - 1, 'Int64')}) + 1`
    return [
      `${currency} = ${p.add(c, 'String')}`,
      `arrayElement(${p.add(daily, 'Array(Float64)')}, ${index})`,
    ]
  })
  return `(${amount}) * multiIf(${branches.join(', ')}, ${rateOf})`
}

/** Rates by date as the rate of every day from the first date to the last (days since 1970), carried forward. */
export function everyDay(rates: Readonly<Record<string, number>>): { first: number; daily: number[] } {
  const byDay = new Map(Object.entries(rates).map(([d, r]) => [Math.round(Date.parse(d) / 86_400_000), r]))
  const days = [...byDay.keys()]
  const first = Math.min(...days)
  const daily: number[] = []
  let current = byDay.get(first)!
  for (let d = first; d <= Math.max(...days); d++) {
    current = byDay.get(d) ?? current
    daily.push(current)
  }
  return { first, daily }
}

/** SQL of the currency an amount is reported in: the exchange's, for one it converts or one sent without any. */
export function reportedCurrencySql(
  p: QueryParams,
  exchange: Exchange | undefined,
  currency: string,
): string {
  if (!exchange) return currency
  const converted = [exchange.to, ...Object.keys(exchange.rates)]
  return `if(${currency} = '' OR has(${p.add(converted, 'Array(String)')}, ${currency}), ${p.add(exchange.to, 'String')}, ${currency})`
}

/** The same in TypeScript, for currencies a report has already read. */
export const reportedCurrency = (exchange: Exchange | undefined, currency: string): string =>
  exchange && (currency === '' || currency === exchange.to || Object.hasOwn(exchange.rates, currency))
    ? exchange.to
    : currency

/**
 * The revenue of one event id's rows (an aggregate over them, which carry it as `sent_revenue` in `sent_currency`:
 * onePerEventSql's names, which no alias of its own can shadow), in the exchange's currency when there is one.
 */
export const eventRevenueSql = (p: QueryParams, exchange: Exchange | undefined) =>
  convertedSql(p, exchange, 'toFloat64(ifNull(any(sent_revenue), 0))', 'any(sent_currency)', 'any(timestamp)')

/** A project's exchange, from its `currency` and `exchangeRates` (the projects file): none without a currency. */
export const exchangeOf = (project: {
  currency?: string | undefined
  exchangeRates?: Exchange['rates'] | undefined
}): Exchange | undefined =>
  project.currency ? { to: project.currency, rates: { ...project.exchangeRates } } : undefined

/** The currencies of the conversions a match selects in [from, to), bots left out, as the reports count them. */
export async function conversionCurrencies(
  reader: Reader,
  scope: { project: string; from: Date; to: Date; conversion: EventMatch; exchange?: Exchange | undefined },
): Promise<Currencies> {
  const p = new QueryParams()
  const [row] = await reader.rows(
    `SELECT ${currenciesAgg(reportedCurrencySql(p, scope.exchange, 'currency'))} AS currencies
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(scope.project, 'String')}
      AND timestamp >= ${p.time(scope.from)} AND timestamp < ${p.time(scope.to)}
      AND is_bot = 0 AND (${matchExpr(scope.conversion, p)})`,
    p,
  )
  return (row?.currencies as string[] | undefined) ?? []
}
