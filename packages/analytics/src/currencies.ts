import { TABLES } from '@touchpoint/clickhouse'
import { type EventMatch, matchExpr } from './fields'
import { QueryParams } from './params'
import type { Reader } from './reader'

/**
 * The currencies of the revenue a report adds up. Touchpoint stores each amount in the currency it was sent in
 * and converts nothing, so a sum over two currencies is no amount of either: every report that sums revenue
 * says which currencies went into it, and a caller that finds more than one narrows the conversion with a
 * `currency` filter (the CLI says so).
 */
export type Currencies = string[]

/** SQL of the sorted distinct non-empty currencies of a column or expression, as an aggregate. */
export const currenciesAgg = (expr: string) => `arraySort(groupUniqArrayIf(${expr}, ${expr} != ''))`

/** The currencies of the conversions a match selects in [from, to), bots left out, as the reports count them. */
export async function conversionCurrencies(
  reader: Reader,
  scope: { project: string; from: Date; to: Date; conversion: EventMatch },
): Promise<Currencies> {
  const p = new QueryParams()
  const [row] = await reader.rows(
    `SELECT ${currenciesAgg('currency')} AS currencies
    FROM ${TABLES.events}
    WHERE project_id = ${p.add(scope.project, 'String')}
      AND timestamp >= ${p.time(scope.from)} AND timestamp < ${p.time(scope.to)}
      AND is_bot = 0 AND (${matchExpr(scope.conversion, p)})`,
    p,
  )
  return (row?.currencies as string[] | undefined) ?? []
}
