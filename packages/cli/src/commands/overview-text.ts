import type { Compared, OverviewResult, PageRow, TrafficRow } from '@touchpoint/analytics'
import { formatTable, formatSeconds as secs } from '../table'
import { change, comparedHead, figuresTable, pointsChange, rowsBefore, share, was } from './compare-text'
import { mixedNote, money } from './report-text'
import { revenueColumn } from './source-reports-text'

/**
 * How the site did, on one screen: the range's figures (with --compare, the range before's and the change beneath
 * them), then the top channels, pages and countries, each with its change.
 */
export function overviewText(r: Compared<OverviewResult>, how: string): string {
  const figures = (x: OverviewResult) => ({
    visitors: x.visitors,
    sessions: x.sessions,
    'page views': x.pageViews,
    'views/session': x.sessions ? x.viewsPerSession.toFixed(2) : '',
    'bounce rate': share(x.bounceRate, x.sessions),
    'length (median)': secs(x.medianDurationSeconds),
    'conversion rate': share(x.conversionRate, x.sessions),
    conversions: x.conversions,
    [revenueColumn(x.netOfRefunds)]: money(x.revenue, x.currencies),
  })
  const p = r.previous
  const head = figuresTable(r, figures, (now, before) => ({
    visitors: change(now.visitors, before.visitors),
    sessions: change(now.sessions, before.sessions),
    'page views': change(now.pageViews, before.pageViews),
    'views/session': change(now.viewsPerSession, before.viewsPerSession, [now.sessions, before.sessions]),
    'bounce rate': pointsChange(now.bounceRate, before.bounceRate, [now.sessions, before.sessions]),
    'length (median)': change(now.medianDurationSeconds ?? 0, before.medianDurationSeconds ?? 0, [
      now.sessions,
      before.sessions,
    ]),
    'conversion rate': pointsChange(now.conversionRate, before.conversionRate, [
      now.sessions,
      before.sessions,
    ]),
    conversions: change(now.conversions, before.conversions),
    [revenueColumn(now.netOfRefunds)]: change(now.revenue, before.revenue),
  }))
  const sessionsOf = (
    title: string,
    column: string,
    rows: TrafficRow[],
    before: TrafficRow[] | undefined,
  ) => {
    const b = rowsBefore(before, (x) => x.key)
    return `${title}\n${formatTable(
      rows.map((x) => ({
        [column]: x.key,
        sessions: x.sessions,
        ...(before && { 'Δ sessions': change(x.sessions, was(b(x.key), 'sessions')) }),
        conversions: x.conversions,
        [revenueColumn(r.netOfRefunds)]: money(x.revenue, x.currencies),
      })),
    )}`
  }
  const pagesBefore = rowsBefore<PageRow>(p?.pages, (x) => x.path)
  const topPages = `Top pages\n${formatTable(
    r.pages.map((x) => ({
      page: x.path,
      views: x.views,
      ...(p && { 'Δ views': change(x.views, was(pagesBefore(x.path), 'views')) }),
      visitors: x.visitors,
    })),
  )}`
  return [
    `${comparedHead(r)}${head}${mixedNote(r.currencies, how)}`,
    sessionsOf('Top channels', 'channel', r.channels, p?.channels),
    topPages,
    sessionsOf('Top countries', 'country', r.countries, p?.countries),
  ].join('\n\n')
}
