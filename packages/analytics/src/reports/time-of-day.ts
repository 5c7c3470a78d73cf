import { EVENT_COLUMNS } from '../columns'
import { type Currencies, conversionCurrencies, eventRevenueSql } from '../currencies'
import { matchExpr } from '../fields'
import { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql } from '../people'
import { num, type Reader } from '../reader'
import { type TimeOfDayRequest, timeOfDayRequest } from '../requests'

export interface TimeOfDayResult {
  timezone: string
  /** Only the cells with conversions; weekday 1 is Monday, hour 0–23, both in `timezone`. */
  cells: Array<{ weekday: number; hour: number; conversions: number; revenue: number }>
  conversions: number
  revenue: number
  /** The currencies the revenue was sent in (currencies.ts). */
  currencies: Currencies
}

/** Conversions and revenue by hour × weekday in the project's time zone, each conversion event id once. */
export async function timeOfDay(reader: Reader, input: TimeOfDayRequest): Promise<TimeOfDayResult> {
  const req = timeOfDayRequest.parse(input)
  const p = new QueryParams()
  const base = eventsWithPerson(
    p,
    { project: req.project, from: req.from, to: req.to, where: matchExpr(req.conversion, p) },
    EVENT_COLUMNS,
  )
  const tz = p.add(req.timezone, 'String')
  const rowsQuery = reader.rows(
    `SELECT toDayOfWeek(at, 0, ${tz}) AS weekday, toHour(at, ${tz}) AS hour, count() AS conversions,
      sum(revenue) AS revenue
    FROM (${onePerEventSql(`(${base})`, '', '', eventRevenueSql(p, req.exchange))})
    GROUP BY weekday, hour ORDER BY weekday, hour`,
    p,
  )
  const [rows, currencies] = await Promise.all([rowsQuery, conversionCurrencies(reader, req)])
  const cells = rows.map((r) => ({
    weekday: num(r.weekday),
    hour: num(r.hour),
    conversions: num(r.conversions),
    revenue: num(r.revenue),
  }))
  return {
    timezone: req.timezone,
    cells,
    conversions: cells.reduce((s, c) => s + c.conversions, 0),
    revenue: cells.reduce((s, c) => s + c.revenue, 0),
    currencies,
  }
}
