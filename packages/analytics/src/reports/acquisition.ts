import { TABLES } from '@touchpoint/clickhouse'
import { type Spend, type SpendResult, spendOf, withSpend } from '../attribution/spend'
import { type AttributionKey, KEY_EXPR } from '../attribution/touches'
import { conversionsAfterSql } from '../conversions'
import type { Currencies } from '../currencies'
import { QueryParams } from '../params'
import { withPersonSql } from '../people'
import { num, type Reader } from '../reader'
import { type AcquisitionRequest, acquisitionRequest } from '../requests'

export interface AcquisitionRow {
  /** the channel, source, medium or campaign of the people's first visit */
  key: string
  /** people whose first visit ever began in the range */
  people: number
  /** of them, those who converted within the horizon after that visit */
  customers: number
  /** customers ÷ people */
  conversionRate: number
  /** their conversions within the horizon, and the revenue of those */
  conversions: number
  revenue: number
  /** revenue ÷ people: what a person the key brought was worth within the horizon */
  revenuePerPerson: number
  /** the median days from a customer's first visit to their first conversion */
  medianDaysToConvert: number | null
  /** With ad spend recorded in the range (attribution/spend.ts): what the key's ads cost then, 0 for none */
  cost?: number
  /** cost ÷ people, and cost ÷ customers (what acquiring a customer cost), null without them */
  costPerPerson?: number | null
  costPerCustomer?: number | null
  /** revenue ÷ cost: what the people the spend brought returned on it within the horizon, null without cost */
  roas?: number | null
}

export interface AcquisitionResult {
  by: AttributionKey
  horizonSeconds: number
  /** the revenue is what the orders kept after refunds (netOfRefunds), not what they were ordered at */
  netOfRefunds: boolean
  /** the currencies of the revenue (currencies.ts) */
  currencies: Currencies
  /** the most people first */
  rows: AcquisitionRow[]
  total: Omit<AcquisitionRow, 'key'>
  /** With ad spend recorded in the range: its cost, clicks, impressions and the currencies of the cost */
  spend?: Spend & { currencies: Currencies }
}

/**
 * What the people each channel (or source, medium, campaign) brought were worth: the people (identity resolved)
 * whose first visit ever began in the range, by the key of that visit as attribution keys a session (its first
 * event's; of parts that began at the same time, a Direct one last), and their conversions (`conversion`, by
 * default `Order Completed`, each event id once) from that visit to `horizon` after it, inclusive. Attribution
 * credits the conversions of a range; this follows the people a channel first brought over the months after,
 * repeat purchases included. A person's first visit is read from every session part of theirs up to `to`, so a
 * person who visited before the range is in no row. Cohorts near `to` have had less of their horizon so far: the
 * figures are what the events up to now hold.
 */
export async function acquisition(reader: Reader, input: AcquisitionRequest): Promise<AcquisitionResult> {
  const req = acquisitionRequest.parse(input)
  const p = new QueryParams()
  const [from, to] = [p.time(req.from), p.time(req.to)]
  const horizon = `toIntervalSecond(${p.add(req.horizon, 'UInt32')})`
  // each session part's first event (the tuple: .1 time, .2 channel, .3 source, .4 medium, .5 campaign, .6 referrer)
  const parts = `SELECT first.1 AS t, ch IN ('', 'Direct') AS direct, ${KEY_EXPR[req.by]} AS key,
      anonymous_id_hash, user_id_hash
    FROM (SELECT *, first.2 AS ch, first.3 AS src, first.4 AS med, first.5 AS camp, first.6 AS ref
      FROM ${TABLES.sessionParts}
      WHERE project_id = ${p.add(req.project, 'String')} AND day <= toDate(${to}) AND first.1 < ${to})`
  const firstVisits = `SELECT person, argMin(key, (t, direct)) AS key, min(t) AS first_seen
    FROM (${withPersonSql(p, req.project, parts, 'e.t AS t, e.direct AS direct, e.key AS key')})
    GROUP BY person
    HAVING first_seen >= ${from}`
  const conv = conversionsAfterSql(p, req, req.horizon)
  const [rows, spend] = await Promise.all([
    reader.rows(
      `WITH first AS (${firstVisits}), conv AS (${conv})
    SELECT grouping(key) AS is_total, key, count() AS people, countIf(n > 0) AS customers, sum(n) AS conversions,
      sum(rev) AS revenue, quantileExactInclusiveIf(0.5)(days, n > 0) AS median_days,
      arraySort(arrayDistinct(arrayFlatten(groupArray(curs)))) AS currencies
    FROM (
      SELECT person, any(key) AS key, countIf(counted) AS n, sumIf(revenue, counted) AS rev,
        (toUnixTimestamp64Milli(minIf(at, counted)) - toUnixTimestamp64Milli(any(first_seen))) / 86400000 AS days,
        groupUniqArrayIf(cur, counted AND cur != '') AS curs
      FROM (
        SELECT f.person AS person, f.key AS key, f.first_seen AS first_seen, c.at AS at, c.revenue AS revenue,
          c.cur AS cur, c.at >= f.first_seen AND c.at <= f.first_seen + ${horizon} AS counted
        FROM first AS f LEFT JOIN conv AS c ON c.person = f.person
      )
      GROUP BY person
    )
    GROUP BY GROUPING SETS ((key), ())
    ORDER BY is_total, people DESC, key`,
      p,
    ),
    spendOf(reader, req),
  ])
  const toRow = (r: Record<string, unknown> = {}): Omit<AcquisitionRow, 'key'> => {
    const people = num(r.people)
    const customers = num(r.customers)
    const revenue = num(r.revenue)
    const days = r.median_days
    return {
      people,
      customers,
      conversionRate: people > 0 ? customers / people : 0,
      conversions: num(r.conversions),
      revenue,
      revenuePerPerson: people > 0 ? revenue / people : 0,
      medianDaysToConvert: customers > 0 && typeof days === 'number' && Number.isFinite(days) ? days : null,
    }
  }
  const total = rows.find((r) => num(r.is_total) === 1)
  const result = {
    by: req.by,
    horizonSeconds: req.horizon,
    netOfRefunds: req.netOfRefunds,
    currencies: (total?.currencies as string[] | undefined) ?? [],
    rows: rows.filter((r) => num(r.is_total) === 0).map((r) => ({ key: String(r.key), ...toRow(r) })),
    total: toRow(total),
  }
  return spend ? costed(result, spend) : result
}

/**
 * The report with what the ads of each key cost in the range beside the people they brought: the cost per person
 * and per customer (the cost of acquiring one) and the return on it; a key with spend and nobody first brought is a
 * row of its own, after the others.
 */
function costed(result: AcquisitionResult, spend: SpendResult): AcquisitionResult {
  const figures = (row: Omit<AcquisitionRow, 'key'>, cost: number) => ({
    costPerPerson: row.people > 0 ? cost / row.people : null,
    costPerCustomer: row.customers > 0 ? cost / row.customers : null,
    roas: cost > 0 ? row.revenue / cost : null,
  })
  const nobody = {
    people: 0,
    customers: 0,
    conversionRate: 0,
    conversions: 0,
    revenue: 0,
    revenuePerPerson: 0,
    medianDaysToConvert: null,
  }
  return withSpend(result, spend, nobody, figures)
}
