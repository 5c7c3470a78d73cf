import { EVENT_NAMES } from '@touchpoint/schema'
import { currenciesAgg, eventRevenueSql, reportedCurrencySql } from '../currencies'
import { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql } from '../people'
import { num, type Reader } from '../reader'
import { type StoresRequest, storesRequest } from '../requests'

export interface StoreFigures {
  /** `Store Visited` events (each event id once), the people who made them, and the median visit in minutes */
  visits: number
  visitors: number
  medianMinutes: number | null
  /** `Order Completed` events naming the store (`storeId`), their revenue, and the people who placed them */
  orders: number
  revenue: number
  buyers: number
}

export interface StoreRow extends StoreFigures {
  storeId: string
}

export interface StoresResult {
  /** the stores with a visit or an order in the range, the most visits first, then the most revenue */
  rows: StoreRow[]
  /** every store's visits and orders (a person who came to two stores is one visitor here) */
  total: StoreFigures & { stores: number }
  currencies: string[]
}

/**
 * What happens in the shops: the `Store Visited` events of the range by `storeId` (people, identity resolved, and
 * the median of the visits' `durationMinutes`), beside the orders that name the store (`properties.storeId`: the
 * store that took them), with their revenue (converted at the order's time with an exchange) and the people who
 * placed them. A store with visits and no order, or orders and no recorded visit, is a row too.
 */
export async function stores(reader: Reader, input: StoresRequest): Promise<StoresResult> {
  const req = storesRequest.parse(input)
  const p = new QueryParams()
  const scope = (event: string) => ({
    project: req.project,
    from: req.from,
    to: req.to,
    where: `e.event = ${p.add(event, 'String')} AND JSONExtractString(e.properties, 'storeId') != ''`,
  })
  const columns = 'e.event_id AS event_id, e.timestamp AS timestamp, e.properties AS properties'
  const visits = `SELECT event_id, any(person) AS person, any(JSONExtractString(properties, 'storeId')) AS store,
      any(JSONExtract(properties, 'durationMinutes', 'Nullable(Float64)')) AS minutes
    FROM (${eventsWithPerson(p, scope(EVENT_NAMES.storeVisited), columns)}) GROUP BY event_id`
  const orders = onePerEventSql(
    `(${eventsWithPerson(p, scope(EVENT_NAMES.orderCompleted), `${columns}, e.revenue AS revenue, e.currency AS currency`)})`,
    '',
    `any(JSONExtractString(properties, 'storeId')) AS store, ${reportedCurrencySql(p, req.exchange, 'any(sent_currency)')} AS cur`,
    eventRevenueSql(p, req.exchange),
  )
  const both = `SELECT store, person, 1 AS visit, minutes, 0 AS ord, 0. AS revenue, '' AS cur FROM (${visits})
    UNION ALL SELECT store, person, 0, NULL, 1, revenue, cur FROM (${orders})`
  const rows = await reader.rows(
    `SELECT grouping(store) AS total, store, sum(visit) AS visits, uniqExactIf(person, visit = 1) AS visitors,
      quantileExactInclusiveIf(0.5)(minutes, visit = 1 AND minutes IS NOT NULL) AS median_minutes,
      countIf(visit = 1 AND minutes IS NOT NULL) AS timed, sum(ord) AS orders, sum(revenue) AS revenue,
      uniqExactIf(person, ord = 1) AS buyers, uniqExact(store) AS stores, ${currenciesAgg('cur')} AS cur
    FROM (${both})
    GROUP BY GROUPING SETS ((store), ())
    ORDER BY total DESC, visits DESC, revenue DESC, store
    LIMIT ${p.add(req.limit + 1, 'UInt32')}`,
    p,
  )
  const figures = (r: Record<string, unknown> = {}): StoreFigures => ({
    visits: num(r.visits),
    visitors: num(r.visitors),
    medianMinutes: num(r.timed) > 0 ? num(r.median_minutes) : null,
    orders: num(r.orders),
    revenue: num(r.revenue),
    buyers: num(r.buyers),
  })
  const [total] = rows.filter((r) => num(r.total) === 1)
  return {
    rows: rows.filter((r) => num(r.total) === 0).map((r) => ({ storeId: String(r.store), ...figures(r) })),
    total: { ...figures(total), stores: num(total?.stores) },
    currencies: (total?.cur as string[] | undefined) ?? [],
  }
}
