import type {
  AcquisitionResult,
  AttributionResult,
  EmailCampaignReport,
  EventsResult,
  NpsResult,
  PagesResult,
  PropertiesResult,
  RejectedResult,
  RetentionResult,
  SubscriptionsResult,
  SupportResult,
  SurveyResult,
  TimeOfDayResult,
  TrafficResult,
} from '@touchpoint/analytics'
import { formatCsv } from '../table'

type Row = Record<string, unknown>

/**
 * A report's rows and its total row after them, with the rows' columns and `label` (`column=value`) in its first;
 * with no rows, the total's own figures (not its lists).
 */
function withTotal(rows: readonly Row[], label: string, total: Row): Row[] {
  const [column, value] = label.split('=') as [string, string]
  const figures = Object.keys(total).filter((c) => typeof total[c] !== 'object' || total[c] === null)
  const columns = rows[0] ? Object.keys(rows[0]) : [column, ...figures]
  return [...rows, Object.fromEntries(columns.map((c) => [c, c === column ? value : total[c]]))]
}

/**
 * What `--csv` writes for each report that answers with one list: a row an item, in the order the report gives them,
 * and a row of the total after them where the report has one; a nested value (a cohort's rates, a campaign's links)
 * as JSON in its cell. A spreadsheet takes it as it is.
 */
const CSV_ROWS: Record<string, (answer: unknown) => Row[]> = {
  events: (a) => (a as EventsResult).rows as unknown as Row[],
  properties: (a) => (a as PropertiesResult).properties as unknown as Row[],
  rejected: (a) => (a as RejectedResult).rows as unknown as Row[],
  traffic: (a) => {
    const r = a as TrafficResult
    return withTotal(r.rows as unknown as Row[], 'key=(all)', r.total as unknown as Row)
  },
  pages: (a) => {
    const r = a as PagesResult
    return withTotal(r.rows as unknown as Row[], 'path=(all)', r.total as unknown as Row)
  },
  retention: (a) => (a as RetentionResult).cohorts as unknown as Row[],
  'time-of-day': (a) => (a as TimeOfDayResult).cells,
  nps: (a) => {
    const r = a as NpsResult
    return (r.segments ?? r.series) as unknown as Row[]
  },
  survey: (a) => (a as SurveyResult).questions as unknown as Row[],
  acquisition: (a) => {
    const r = a as AcquisitionResult
    return withTotal(r.rows as unknown as Row[], 'key=(all)', r.total as unknown as Row)
  },
  subscriptions: (a) => {
    const r = a as SubscriptionsResult
    return withTotal(r.plans as unknown as Row[], 'plan=(all)', r as unknown as Row)
  },
  support: (a) => {
    const r = a as SupportResult
    return withTotal(r.rows as unknown as Row[], 'value=(all)', r as unknown as Row)
  },
  email: (a) => (a as { campaigns: EmailCampaignReport[] }).campaigns as unknown as Row[],
}

/** A report's answer as CSV, or an error naming what to use for a report that is no one list. */
export function reportCsv(kind: string, answer: unknown): string {
  const rows = CSV_ROWS[kind]
  if (!rows) throw new Error(`--csv: the ${kind} report is not one list; --json gives all of it`)
  return formatCsv(rows(answer))
}

/** Attribution as CSV: a row for each model and key, with its conversions and revenue. */
export const attributionCsv = (r: AttributionResult): string =>
  formatCsv(r.models.flatMap((m) => m.rows.map((row) => ({ model: m.model, ...row }))))
