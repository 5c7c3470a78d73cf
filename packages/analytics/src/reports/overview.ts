import type { Reader } from '../reader'
import { type OverviewRequest, overviewRequest, trafficRequest } from '../requests'
import { type PageRow, pages } from './pages'
import { type TrafficRow, trafficBy } from './traffic'

export interface OverviewResult {
  /** people (identity resolved) with a session in the range, and the sessions that began in it */
  visitors: number
  sessions: number
  /** page views (each event id once) in the range, and per session */
  pageViews: number
  viewsPerSession: number
  bounceRate: number
  medianDurationSeconds: number | null
  /** sessions with a conversion, their share of the sessions, and the conversions and revenue in them */
  convertingSessions: number
  conversionRate: number
  conversions: number
  revenue: number
  currencies: string[]
  /** the revenue is what the orders kept after refunds (netOfRefunds), not what they were ordered at */
  netOfRefunds: boolean
  /** the first `limit` channels by sessions, pages by views and visitors' countries by sessions */
  channels: TrafficRow[]
  pages: PageRow[]
  countries: TrafficRow[]
}

/**
 * How the site did, on one screen: the traffic report's totals (visitors, sessions, bounce rate, length,
 * conversions and revenue) with the page views, and the top channels, pages and countries, each as its own report
 * gives it (docs/analytics.md). It runs the traffic report by channel and by country in one pass (trafficBy), and
 * the pages report.
 */
export async function overview(reader: Reader, input: OverviewRequest): Promise<OverviewResult> {
  const req = overviewRequest.parse(input)
  const common = { ...req, compare: undefined }
  const [byChannel, byCountry] = await trafficBy(
    reader,
    trafficRequest.parse({ ...common, by: 'channel' }),
    'country',
  )
  const views = await pages(reader, { ...common, limit: req.limit })
  const t = byChannel.total
  return {
    visitors: t.visitors,
    sessions: t.sessions,
    pageViews: views.total.views,
    viewsPerSession: t.sessions > 0 ? views.total.views / t.sessions : 0,
    bounceRate: t.bounceRate,
    medianDurationSeconds: t.medianDurationSeconds,
    convertingSessions: t.convertingSessions,
    conversionRate: t.conversionRate,
    conversions: t.conversions,
    revenue: t.revenue,
    currencies: t.currencies,
    netOfRefunds: byChannel.netOfRefunds,
    channels: byChannel.rows.slice(0, req.limit),
    pages: views.rows,
    countries: byCountry?.rows.slice(0, req.limit) ?? [],
  }
}
