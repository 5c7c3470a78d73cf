import { EVENT_COLUMNS } from './columns'
import { eventRevenueSql, reportedCurrencySql } from './currencies'
import { type EventMatch, matchExpr } from './fields'
import type { QueryParams } from './params'
import { eventsWithPerson, onePerEventSql } from './people'
import { keptRevenueSql, ORDER_ID } from './reports/refunds'
import type { Exchange } from './request-parts'

/**
 * The conversions of the reports that follow people for a while after something happened to them in the range
 * (their first visit for acquisition, their first exposure for an experiment): each event of `conversion` (each
 * event id once) from the range's start to `seconds` after its end, inclusive, with its person (hashed), time
 * `at`, revenue (converted with an exchange; with `netOfRefunds`, what its order kept, keptRevenueSql) and the
 * currency it is reported in, `cur`.
 */
export function conversionsAfterSql(
  p: QueryParams,
  scope: {
    project: string
    from: Date
    to: Date
    conversion: EventMatch
    exchange?: Exchange | undefined
    netOfRefunds?: boolean | undefined
  },
  seconds: number,
): string {
  const conversions = eventsWithPerson(
    p,
    {
      project: scope.project,
      from: scope.from,
      to: new Date(scope.to.getTime() + seconds * 1000 + 1),
      where: matchExpr(scope.conversion, p),
    },
    EVENT_COLUMNS,
    true,
  )
  const cur = `${reportedCurrencySql(p, scope.exchange, 'any(sent_currency)')} AS cur`
  const revenue = eventRevenueSql(p, scope.exchange)
  if (!scope.netOfRefunds) return onePerEventSql(`(${conversions})`, '', cur, revenue)
  const rows = onePerEventSql(`(${conversions})`, '', `${cur}, ${ORDER_ID}`, revenue)
  return keptRevenueSql(
    p,
    scope,
    rows,
    'c.event_id AS event_id, c.person AS person, c.at AS at, c.cur AS cur',
  )
}
