import type { EmailCampaignReport } from '@touchpoint/analytics'
import { formatTable, formatPercent as pct } from '../table'
import { money } from './report-text'

/**
 * `report email`: each campaign's sends, people's opens and clicks and their rates, machine opens and scanner clicks
 * apart, what the email service reported where it reported anything, and under it the links each campaign's readers
 * clicked (docs/email.md).
 */
export function emailText(campaigns: EmailCampaignReport[]): string {
  if (!campaigns.length)
    return 'no emails sent, opened or clicked in the range (docs/email.md: the pixel, the links and Email Sent)'
  const reported = campaigns.some((c) => c.delivered + c.bounces + c.spamReports + c.unsubscribes > 0)
  const table = formatTable(
    campaigns.map((c) => ({
      campaign: c.campaign,
      sent: c.sent,
      ...(reported && {
        delivered: c.delivered,
        'bounce rate': pct(c.bounceRate),
        'hard bounces': c.hardBounces,
      }),
      opened: c.uniqueOpens,
      clicked: c.uniqueClicks,
      'open rate': pct(c.openRate),
      'click rate': pct(c.clickRate),
      'click-to-open': pct(c.clickToOpenRate),
      'machine opens': c.machineOpens,
      'scanner clicks': c.scannerClicks,
      ...(reported && { 'spam rate': pct(c.spamRate), 'unsubscribe rate': pct(c.unsubscribeRate) }),
      conversions: c.conversions,
      revenue: money(c.revenue, c.currencies),
    })),
  )
  // rates are on sent: a campaign whose sends were not recorded has none, and its reader should know why
  const unsent = campaigns.filter((c) => c.sent === 0).map((c) => c.campaign)
  const why = unsent.length
    ? `\n\nNo Email Sent recorded for ${unsent.join(', ')}: ${unsent.length === 1 ? 'its' : 'their'} rates on sent are left empty. Record each send with ` +
      "the tracker's sentEvent() or `touchpoint email instrument --record` (docs/email.md)."
    : ''
  const links = campaigns
    .filter((c) => c.links.length)
    .map(
      (c) =>
        `\n\nLinks clicked in ${c.campaign}\n${formatTable(
          c.links.map((l) => ({
            link: l.link,
            people: l.uniqueClicks,
            clicks: l.totalClicks,
            'scanner clicks': l.scannerClicks,
            target: l.target,
          })),
        )}`,
    )
  return `${table}${why}${links.join('')}`
}
