import { EVENT_COLUMNS } from './columns'
import { eventRevenueSql, reportedCurrencySql } from './currencies'
import { type EventMatch, matchExpr } from './fields'
import type { QueryParams } from './params'
import { eventsWithPerson, onePerEventSql } from './people'
import type { Exchange } from './request-parts'

/**
 * The conversions of the reports that follow people for a while after something happened to them in the range
 * (their first visit for acquisition, their first exposure for an experiment): each event of `conversion` (each
 * event id once) from the range's start to `seconds` after its end, inclusive, with its person (hashed), time
 * `at`, revenue (converted with an exchange) and the currency it is reported in, `cur`.
 */
export function conversionsAfterSql(
  p: QueryParams,
  scope: { project: string; from: Date; to: Date; conversion: EventMatch; exchange?: Exchange | undefined },
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
  return onePerEventSql(
    `(${conversions})`,
    '',
    `${reportedCurrencySql(p, scope.exchange, 'any(sent_currency)')} AS cur`,
    eventRevenueSql(p, scope.exchange),
  )
}
