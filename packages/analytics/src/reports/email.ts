import { EMAIL_EVENTS } from '@touchpoint/schema'
import { EVENT_COLUMNS } from '../columns'
import { type Currencies, currenciesAgg, eventRevenueSql, reportedCurrencySql } from '../currencies'
import { matchExpr } from '../fields'
import { QueryParams } from '../params'
import { eventsWithPerson, onePerEventSql } from '../people'
import { num, type Reader } from '../reader'
import { type EmailReportRequest, emailReportRequest } from '../requests'

export interface EmailCampaignReport {
  campaign: string
  /** Distinct (recipient, email) pairs with an `Email Sent` event. */
  sent: number
  /** Distinct emails opened by a person (machine opens apart), and all such open events. */
  uniqueOpens: number
  totalOpens: number
  uniqueMachineOpens: number
  machineOpens: number
  /** Distinct emails clicked by a person (scanner clicks apart), and all such click events. */
  uniqueClicks: number
  totalClicks: number
  scannerClicks: number
  /**
   * Unique human opens and clicks ÷ sent, and clicks ÷ opens; null where the denominator is 0 (a campaign whose
   * sends were not recorded has opens and clicks, and no rate on sent).
   */
  openRate: number | null
  clickRate: number | null
  clickToOpenRate: number | null
  /**
   * What the email service reported (docs/email.md, "Deliveries, bounces, spam reports and unsubscribes"): distinct
   * emails delivered, bounced (`hardBounces` of them hard: the address takes no mail), reported as spam, and
   * unsubscribed from, and the last three's share of those sent (null with none sent).
   */
  delivered: number
  bounces: number
  hardBounces: number
  spamReports: number
  unsubscribes: number
  bounceRate: number | null
  spamRate: number | null
  unsubscribeRate: number | null
  /** Conversions of recipients within the lookback after their first human click, and their revenue. */
  conversions: number
  revenue: number
  /** The currencies of those conversions' revenue (currencies.ts). */
  currencies: Currencies
  /**
   * Each link of the campaign's emails that was clicked (its `linkId`, the template's `data-tp-link` or its
   * position, and its target as stored, redacted; a link signed without an id is told by its target), the most
   * people first: the distinct emails a person clicked it in, all of its human clicks, and its scanner clicks apart.
   */
  links: EmailLinkClicks[]
}

export interface EmailLinkClicks {
  link: string
  target: string
  uniqueClicks: number
  totalClicks: number
  scannerClicks: number
}

/**
 * The email campaign report (docs/analytics.md). Email events carry `properties.campaignId` and
 * `properties.emailId` and belong to the recipient; opens say `machine`, clicks say `scanner`.
 * Rates are unique and on sent: open rate = unique human opens / sent, click rate = unique human clicks / sent,
 * click-to-open rate = unique human clicks / unique human opens; null where nothing was sent (or opened).
 */
export async function emailReport(reader: Reader, input: EmailReportRequest): Promise<EmailCampaignReport[]> {
  const req = emailReportRequest.parse(input)
  const p = new QueryParams()
  const campaign = `JSONExtractString(e.properties, 'campaignId')`
  const names = [...EMAIL_EVENTS]
  const [sent, opened, clicked, delivered, bounced, spam, unsubscribed] = names.map((n) => p.add(n, 'String'))
  // the email events of the range (only the clicks for the links: sends and opens are most of them), each event id once
  const emailEvents = (events: string) => {
    const where = [`e.event IN ${events}`]
    if (req.campaign) where.push(`${campaign} = ${p.add(req.campaign, 'String')}`)
    const emails = eventsWithPerson(
      p,
      { project: req.project, from: req.from, to: req.to, where: where.join(' AND ') },
      `${EVENT_COLUMNS}, ${campaign} AS camp`,
    )
    return `em AS (SELECT event_id, any(person) AS person, any(event) AS ev, any(timestamp) AS t, any(camp) AS camp,
      any(JSONExtractString(properties, 'emailId')) AS email_id,
      any(JSONExtractBool(properties, 'machine')) AS machine, any(JSONExtractBool(properties, 'scanner')) AS scanner,
      any(JSONExtractString(properties, 'linkId')) AS link, any(JSONExtractString(properties, 'target')) AS target,
      any(JSONExtractString(properties, 'bounceType')) AS bounce_type
    FROM (${emails}) GROUP BY event_id)`
  }
  const em = emailEvents(p.add(names, 'Array(String)'))
  const lookbackMs = req.lookback * 1000
  const conversions = eventsWithPerson(
    p,
    {
      project: req.project,
      from: req.from,
      to: new Date(req.to.getTime() + lookbackMs),
      where: matchExpr(req.conversion, p),
    },
    EVENT_COLUMNS,
  )
  const rows = await reader.rows(
    `WITH ${em},
    clickers AS (SELECT camp, person, min(t) AS first_click FROM em WHERE ev = ${clicked} AND NOT scanner GROUP BY camp, person),
    conv AS (${onePerEventSql(`(${conversions})`, '', `${reportedCurrencySql(p, req.exchange, 'any(sent_currency)')} AS cur`, eventRevenueSql(p, req.exchange))}),
    attributed AS (
      SELECT k.camp AS camp, count() AS conversions, sum(c.revenue) AS revenue, ${currenciesAgg('c.cur')} AS currencies
      FROM clickers AS k INNER JOIN conv AS c ON c.person = k.person
      WHERE c.at >= k.first_click AND toUnixTimestamp64Milli(c.at) <= toUnixTimestamp64Milli(k.first_click) + ${p.add(lookbackMs, 'Int64')}
      GROUP BY k.camp
    )
    SELECT s.*, a.conversions AS conversions, a.revenue AS revenue, a.currencies AS currencies
    FROM (
      SELECT camp,
        uniqExactIf((person, email_id), ev = ${sent}) AS sent,
        uniqExactIf((person, email_id), ev = ${opened} AND NOT machine) AS unique_opens,
        countIf(ev = ${opened} AND NOT machine) AS total_opens,
        uniqExactIf((person, email_id), ev = ${opened} AND machine) AS unique_machine_opens,
        countIf(ev = ${opened} AND machine) AS machine_opens,
        uniqExactIf((person, email_id), ev = ${clicked} AND NOT scanner) AS unique_clicks,
        countIf(ev = ${clicked} AND NOT scanner) AS total_clicks,
        countIf(ev = ${clicked} AND scanner) AS scanner_clicks,
        uniqExactIf((person, email_id), ev = ${delivered}) AS delivered,
        uniqExactIf((person, email_id), ev = ${bounced}) AS bounces,
        uniqExactIf((person, email_id), ev = ${bounced} AND bounce_type = 'hard') AS hard_bounces,
        uniqExactIf((person, email_id), ev = ${spam}) AS spam_reports,
        uniqExactIf((person, email_id), ev = ${unsubscribed}) AS unsubscribes
      FROM em GROUP BY camp
    ) AS s
    LEFT JOIN attributed AS a ON a.camp = s.camp
    ORDER BY s.camp`,
    p,
  )
  const links = await reader.rows(
    `WITH ${emailEvents(`(${clicked})`)}
    SELECT camp, link, any(target) AS link_target,
      uniqExactIf((person, email_id), NOT scanner) AS unique_clicks, countIf(NOT scanner) AS total_clicks,
      countIf(scanner) AS scanner_clicks
    FROM em WHERE ev = ${clicked}
    GROUP BY camp, link, if(link = '', target, '') AS untagged
    ORDER BY camp, unique_clicks DESC, total_clicks DESC, link, link_target`,
    p,
  )
  const linksOf = (camp: string): EmailLinkClicks[] =>
    links
      .filter((l) => String(l.camp) === camp)
      .map((l) => ({
        link: String(l.link),
        target: String(l.link_target),
        uniqueClicks: num(l.unique_clicks),
        totalClicks: num(l.total_clicks),
        scannerClicks: num(l.scanner_clicks),
      }))
  return rows.map((r) => {
    const sentN = num(r.sent)
    const opens = num(r.unique_opens)
    const clicks = num(r.unique_clicks)
    const ofSent = (x: number) => (sentN > 0 ? x / sentN : null)
    return {
      campaign: String(r.camp),
      sent: sentN,
      uniqueOpens: opens,
      totalOpens: num(r.total_opens),
      uniqueMachineOpens: num(r.unique_machine_opens),
      machineOpens: num(r.machine_opens),
      uniqueClicks: clicks,
      totalClicks: num(r.total_clicks),
      scannerClicks: num(r.scanner_clicks),
      openRate: ofSent(opens),
      clickRate: ofSent(clicks),
      clickToOpenRate: opens > 0 ? clicks / opens : null,
      delivered: num(r.delivered),
      bounces: num(r.bounces),
      hardBounces: num(r.hard_bounces),
      spamReports: num(r.spam_reports),
      unsubscribes: num(r.unsubscribes),
      bounceRate: ofSent(num(r.bounces)),
      spamRate: ofSent(num(r.spam_reports)),
      unsubscribeRate: ofSent(num(r.unsubscribes)),
      conversions: num(r.conversions),
      revenue: num(r.revenue),
      currencies: (r.currencies as string[] | null) ?? [],
      links: linksOf(String(r.camp)),
    }
  })
}
