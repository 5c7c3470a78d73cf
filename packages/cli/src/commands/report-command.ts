import { parseArgs } from 'node:util'
import type {
  AcquisitionResult,
  Compared,
  CustomersResult,
  EmailCampaignReport,
  EventsResult,
  ExperimentResult,
  ExperimentsResult,
  LinksResult,
  LiveResult,
  NpsResult,
  OrdersResult,
  OverviewResult,
  PagesResult,
  PathsResult,
  PlanResult,
  ProductsResult,
  PropertiesResult,
  RejectedResult,
  RetentionResult,
  StoresResult,
  SubscriptionsResult,
  SupportResult,
  SurveyResult,
  TimeOfDayResult,
  TrafficResult,
} from '@touchpoint/analytics'
import { didYouMean } from '../closest'
import type { CliConfig } from '../config'
import { counted, formatTable, formatPercent as pct } from '../table'
import { allCustomers } from './all-pages'
import {
  byCurrencyFilter,
  common,
  dateRange,
  defined,
  optionalNumber,
  parseEventMatch,
} from './analytics-args'
import { ask, type Endpoint } from './analytics-client'
import { changeNote, comparedHead, scoreChange } from './compare-text'
import { customersText } from './customers-text'
import { emailText } from './email-text'
import { experimentsText, experimentText } from './experiments-text'
import { linksText } from './links-text'
import { ordersText } from './orders-text'
import { overviewText } from './overview-text'
import { planText } from './plan-text'
import { productsText } from './products-text'
import { reportCsv } from './report-csv'
import {
  eventsText,
  liveText,
  mixedNote,
  money,
  pagesText,
  pathsText,
  rejectedText,
  retentionText,
  subscriptionsText,
  supportText,
  surveyText,
} from './report-text'
import { acquisitionText, trafficText } from './source-reports-text'
import { storesText } from './stores-text'

const REPORTS: string[] = [
  'overview',
  'live',
  'events',
  'properties',
  'rejected',
  'plan',
  'experiments',
  'traffic',
  'pages',
  'links',
  'retention',
  'time-of-day',
  'orders',
  'products',
  'stores',
  'nps',
  'survey',
  'acquisition',
  'paths',
  'support',
  'subscriptions',
  'customers',
  'email',
]
/** The reports whose text sets their main figures beside the range before's; --json gives any report's. */
const COMPARED_TEXT = [
  'overview',
  'traffic',
  'pages',
  'links',
  'events',
  'acquisition',
  'support',
  'orders',
  'products',
  'stores',
  'customers',
  'nps',
  'time-of-day',
]

/** Analyses that are commands of their own, which `touchpoint report NAME` is a likely way to look for. */
const OWN_COMMANDS = ['funnel', 'attribution', 'profile']

/** `touchpoint report KIND …`: one report of the analytics API from a terminal, as a table, JSON or CSV. */
export async function report(config: CliConfig, args: string[]): Promise<string> {
  // before the options are read: `report funnel --step …` is refused for the command it meant, not an option
  const named = args[0] ?? ''
  if (OWN_COMMANDS.includes(named))
    throw new Error(
      `${named} is a command of its own, not a report: touchpoint ${named} --help lists its options`,
    )
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...common,
      interval: { type: 'string' },
      segment: { type: 'string' },
      survey: { type: 'string' },
      by: { type: 'string' },
      campaign: { type: 'string' },
      conversion: { type: 'string' },
      limit: { type: 'string' },
      event: { type: 'string' },
      minutes: { type: 'string' },
      host: { type: 'string' },
      horizon: { type: 'string' },
      breakdown: { type: 'string' },
      start: { type: 'string' },
      steps: { type: 'string' },
      window: { type: 'string' },
      who: { type: 'string' },
      kind: { type: 'string' },
      sort: { type: 'string' },
      offset: { type: 'string' },
      all: { type: 'boolean', default: false },
      traits: { type: 'string' },
      experiment: { type: 'string' },
      control: { type: 'string' },
      uplift: { type: 'string' },
      'net-of-refunds': { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
    },
  })
  const kind = positionals[0] as Endpoint | undefined
  const usage = `usage: touchpoint report ${REPORTS.join('|')} [--project P] [--from D] [--to D]`
  if (kind && !REPORTS.includes(kind))
    throw new Error(`no report ${kind}${didYouMean(kind, REPORTS)}; ${usage}`)
  if (!kind) throw new Error(usage)
  const net = ['traffic', 'overview', 'acquisition', 'customers']
  if (v['net-of-refunds'] && !net.includes(kind) && !(kind === 'experiments' && v.experiment !== undefined))
    throw new Error(
      `--net-of-refunds: the ${kind} report does not take it (${net.join(', ')} and experiments --experiment ID do)`,
    )
  if (v.compare !== undefined && kind === 'experiments' && v.experiment !== undefined)
    throw new Error(
      "--compare: an experiment's variants are set beside its control, not beside the range before",
    )
  if (v.compare !== undefined && kind === 'live')
    throw new Error('--compare: the live report is of the last minutes, with no range to compare')
  if (v.compare !== undefined && !v.json && !v.csv && !COMPARED_TEXT.includes(kind))
    throw new Error(
      `--compare: the ${kind} report's text is not set beside the range before; --json gives both (${COMPARED_TEXT.join(', ')} print the change)`,
    )
  const body = defined({
    project: v.project,
    ...(kind === 'live'
      ? { minutes: v.minutes === undefined ? undefined : Number(v.minutes) }
      : dateRange(v.from, v.to)),
    timezone: v.timezone,
    compare: v.compare,
    interval: ['nps', 'retention', 'support', 'subscriptions'].includes(kind) ? v.interval : undefined,
    by: ['traffic', 'support', 'acquisition', 'products', 'links'].includes(kind) ? v.by : undefined,
    kind: kind === 'links' ? v.kind : undefined,
    horizon: kind === 'acquisition' ? v.horizon : undefined,
    // the revenue of traffic, the overview, acquisition, the customers and one experiment
    netOfRefunds: v['net-of-refunds'] ? true : undefined,
    breakdown: kind === 'retention' ? v.breakdown : undefined,
    ...(kind === 'paths' && {
      start: v.start ? parseEventMatch(v.start) : undefined,
      steps: optionalNumber(v.steps),
      window: v.window,
    }),
    limit:
      [
        'pages',
        'events',
        'rejected',
        'plan',
        'experiments',
        'paths',
        'customers',
        'products',
        'overview',
        'links',
        'stores',
      ].includes(kind) && v.limit !== undefined
        ? optionalNumber(v.limit)
        : undefined,
    ...(kind === 'customers' && {
      who: v.who,
      sort: v.sort,
      offset: optionalNumber(v.offset),
      traits: v.traits?.split(',').map((t) => t.trim()),
    }),
    host: kind === 'pages' ? v.host : undefined,
    segment: v.segment,
    survey: v.survey,
    campaign: v.campaign,
    conversion: v.conversion ? parseEventMatch(v.conversion) : undefined,
    event: kind === 'properties' ? v.event : v.event ? parseEventMatch(v.event) : undefined,
  })
  if (kind === 'properties' && v.event === undefined)
    throw new Error(
      'report properties lists one event\'s properties: --event "Order Completed" (report events lists the names)',
    )
  if (kind === 'experiments' && v.experiment !== undefined) return experimentReport(config, v, body)
  if (v.all && kind !== 'customers')
    throw new Error('--all: only the customers report lists its rows in pages')
  if (v.all && v.limit !== undefined)
    throw new Error('--all lists everyone, in pages of its own; drop --limit')
  const answer = v.all ? await allCustomers(config, body) : await ask<unknown>(config, kind, body)
  if (v.json) return JSON.stringify(answer, null, 2)
  if (v.csv) return reportCsv(kind, answer)
  switch (kind) {
    case 'time-of-day': {
      const r = answer as Compared<TimeOfDayResult>
      const how = byCurrencyFilter(v.conversion ?? 'Order Completed', r.currencies)
      const p = r.previous
      return `${comparedHead(r)}${counted(r.conversions, 'conversion')}${changeNote(r.conversions, p?.conversions)}, revenue ${money(r.revenue, r.currencies)}${changeNote(r.revenue, p?.revenue)} (${r.timezone}; weekday 1 = Monday)\n${formatTable(r.cells)}${mixedNote(r.currencies, how)}`
    }
    case 'orders':
      return ordersText(answer as Compared<OrdersResult>)
    case 'nps': {
      const r = answer as Compared<NpsResult>
      const rows: Array<{ score: number }> = r.segments ?? r.series
      const p = r.previous
      if (r.responses === 0 && !p?.responses)
        return `${comparedHead(r)}no NPS answers in the range (Survey Answered events with type "nps" and an answer 0–10)`
      const before = p
        ? ` (${p.responses ? `${p.score.toFixed(1)} from ${p.responses} before, Δ ${scoreChange(r.score, p.score)}` : 'no responses before'})`
        : ''
      return `${comparedHead(r)}NPS ${r.score.toFixed(1)} from ${counted(r.responses, 'response')}${before}\n${formatTable(
        rows.map((s) => ({ ...s, score: s.score.toFixed(1) })),
      )}`
    }
    case 'survey':
      return surveyText(answer as SurveyResult)
    case 'paths':
      return pathsText(answer as PathsResult, v.start)
    case 'acquisition':
      return acquisitionText(answer as AcquisitionResult)
    case 'customers':
      return customersText(answer as CustomersResult)
    case 'products':
      return productsText(answer as ProductsResult)
    case 'stores':
      return storesText(answer as StoresResult)
    case 'subscriptions':
      return subscriptionsText(answer as SubscriptionsResult, v.interval)
    case 'support':
      return supportText(answer as SupportResult, v.interval)
    case 'rejected':
      return rejectedText(answer as RejectedResult)
    case 'plan':
      return planText(answer as PlanResult)
    case 'experiments':
      return experimentsText(answer as ExperimentsResult)
    case 'links':
      return linksText(answer as LinksResult)
    case 'pages':
      return pagesText(answer as PagesResult, v.host)
    case 'retention':
      return retentionText(answer as RetentionResult, v.breakdown)
    case 'live':
      return liveText(answer as LiveResult)
    case 'events':
      return eventsText(answer as EventsResult)
    case 'properties': {
      const r = answer as PropertiesResult
      const rows = r.properties.map((x) => ({
        property: x.property,
        events: x.events,
        share: pct(x.share),
        types: x.types.join(', '),
        examples: x.examples.join('  '),
      }))
      return `${r.event}: ${counted(r.events, 'event')} in the range\n${formatTable(rows)}`
    }
    case 'overview': {
      const r = answer as OverviewResult
      return overviewText(r, byCurrencyFilter(v.conversion ?? 'Order Completed', r.currencies))
    }
    case 'traffic': {
      const r = answer as TrafficResult
      return trafficText(r, byCurrencyFilter(v.conversion ?? 'Order Completed', r.total.currencies))
    }
    default:
      return emailText((answer as { campaigns: EmailCampaignReport[] }).campaigns)
  }
}

/** `report experiments --experiment ID`: one test's variants side by side, as a table, JSON or CSV. */
async function experimentReport(
  config: CliConfig,
  v: {
    experiment?: string
    conversion?: string
    window?: string
    control?: string
    uplift?: string
    json?: boolean
    csv?: boolean
  },
  body: Record<string, unknown>,
): Promise<string> {
  const { limit: _, ...rest } = body
  const r = await ask<ExperimentResult>(config, 'experiment', {
    ...rest,
    ...defined({
      experiment: v.experiment,
      window: v.window,
      control: v.control,
      uplift: optionalNumber(v.uplift),
    }),
  })
  if (v.json) return JSON.stringify(r, null, 2)
  if (v.csv) return reportCsv('experiment', r)
  return experimentText(r, v.conversion ?? 'Order Completed')
}
