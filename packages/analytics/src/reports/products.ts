import { EVENT_NAMES } from '@touchpoint/schema'
import { convertedSql, currenciesAgg, reportedCurrencySql } from '../currencies'
import { QueryParams } from '../params'
import { eventsWithPerson } from '../people'
import { num, type Reader } from '../reader'
import { type PRODUCT_KEYS, type ProductsRequest, productsRequest } from '../requests'
import { productReturns } from './product-returns'

export interface ProductFigures {
  /** orders with the product (or one of the category) in them, and the customers who placed them */
  orders: number
  customers: number
  /** units sold (a line without a quantity is one) and their revenue: price × quantity, 0 for a line without a price */
  quantity: number
  revenue: number
  /** revenue ÷ quantity */
  averagePrice: number
  /** units given back by the range's refunds (`Order Refunded`: its lines, or all of its order's when whole) */
  returned: number
  /** their value: the returned lines' price × quantity */
  refunded: number
  /** returned ÷ quantity: the range's returns over its sales (past 1 when it takes back more than it sold) */
  returnRate: number
}

export interface ProductRow extends ProductFigures {
  /** the productId, or the category (`(none)` for lines without one) */
  key: string
  /** by product: the name and category its latest line in the range gave ('' for none) */
  name?: string
  category?: string
}

export interface ProductsResult {
  by: (typeof PRODUCT_KEYS)[number]
  rows: ProductRow[]
  /** every line of every order of the range; `keys` is how many products (or categories) they name */
  total: ProductFigures & { keys: number }
  /** the currencies of the lines' revenue (currencies.ts) */
  currencies: string[]
}

/**
 * What sold: the lines (`properties.products[]`: productId, name, category, price, quantity) of the `Order
 * Completed` events in the range, each order once (a retried order counts once), by product or by category, the
 * most revenue first, with orders, customers (identity resolved), quantity, revenue (each line's price × quantity,
 * in the exchange's currency when asked, at the order's time) and average price, and the same over every line;
 * beside them, what the range's refunds gave back of each (productReturns). Orders sent without products add
 * nothing here; the orders report counts them.
 */
export async function products(reader: Reader, input: ProductsRequest): Promise<ProductsResult> {
  const req = productsRequest.parse(input)
  const p = new QueryParams()
  const orders = eventsWithPerson(
    p,
    {
      project: req.project,
      from: req.from,
      to: req.to,
      where: `e.event = ${p.add(EVENT_NAMES.orderCompleted, 'String')}`,
    },
    'e.event_id AS event_id, e.timestamp AS timestamp, e.currency AS currency, e.properties AS properties',
  )
  const price = `toFloat64(ifNull(JSONExtract(item, 'price', 'Nullable(Float64)'), 0))`
  // a line without a quantity (or with a null one) is one
  const quantity = `ifNull(JSONExtract(item, 'quantity', 'Nullable(Float64)'), 1.)`
  const key =
    req.by === 'product'
      ? `JSONExtractString(item, 'productId')`
      : `if(JSONExtractString(item, 'category') = '', '(none)', JSONExtractString(item, 'category'))`
  const lines = `SELECT event_id, person, t, cur, ${key} AS key, JSONExtractString(item, 'name') AS name,
      JSONExtractString(item, 'category') AS category, ${quantity} AS qty,
      ${convertedSql(p, req.exchange, `${price} * ${quantity}`, 'cur', 't')} AS revenue,
      ${reportedCurrencySql(p, req.exchange, 'cur')} AS reported
    FROM (
      SELECT event_id, any(person) AS person, any(timestamp) AS t, any(currency) AS cur, any(properties) AS props
      FROM (${orders}) GROUP BY event_id
    )
    ARRAY JOIN JSONExtractArrayRaw(props, 'products') AS item`
  const figures = `uniqExact(event_id) AS orders, uniqExact(person) AS customers, sum(qty) AS quantity,
    sum(revenue) AS revenue`
  // the lines read once: a row for each key and one for them all (grouping(key) = 1), that one first
  const rows = await reader.rows(
    `SELECT grouping(key) AS total, key, argMax(name, t) AS name, argMax(category, t) AS cat, ${figures},
      uniqExactIf(key, key != '') AS keys, ${currenciesAgg('reported')} AS cur
    FROM (${lines})
    GROUP BY GROUPING SETS ((key), ())
    ORDER BY total DESC, key = '', revenue DESC, quantity DESC, key
    LIMIT ${p.add(req.limit + 2, 'UInt32')}`,
    p,
  )
  const [total] = rows.filter((r) => num(r.total) === 1)
  const returns = await productReturns(reader, p, { ...req, byCategory: req.by === 'category' })
  const all = { returned: 0, refunded: 0 }
  for (const r of returns.values()) {
    all.returned += r.returned
    all.refunded += r.refunded
  }
  const figuresOf = (r: Record<string, unknown> = {}, back = returns.get(String(r.key))): ProductFigures => {
    const qty = num(r.quantity)
    const returned = back?.returned ?? 0
    return {
      orders: num(r.orders),
      customers: num(r.customers),
      quantity: qty,
      revenue: num(r.revenue),
      averagePrice: qty > 0 ? num(r.revenue) / qty : 0,
      returned,
      refunded: back?.refunded ?? 0,
      returnRate: qty > 0 ? returned / qty : 0,
    }
  }
  return {
    by: req.by,
    rows: rows
      .filter((r) => num(r.total) === 0 && r.key !== '')
      .slice(0, req.limit)
      .map((r) => ({
        key: String(r.key),
        ...(req.by === 'product' && { name: String(r.name), category: String(r.cat) }),
        ...figuresOf(r),
      })),
    total: { ...figuresOf(total, all), keys: num(total?.keys) },
    currencies: (total?.cur as string[] | undefined) ?? [],
  }
}
