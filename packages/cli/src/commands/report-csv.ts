import type { AttributionResult, Compared } from '@touchpoint/analytics'
import { formatCsv } from '../table'
import { traitColumns } from './report-text'

type Row = Record<string, unknown>
/** A report's answer as JSON gives it (the analytics package's result types name each report's keys). */
type Answer = Record<string, unknown>

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

/** A report's list under `key`. */
const list = (key: string) => (a: Answer) => a[key] as Row[]
/** The list under `key` and a total row after it, from the answer's `total` key, or from the answer itself. */
const listWithTotal = (key: string, label: string, total?: string) => (a: Answer) =>
  withTotal(a[key] as Row[], label, (total ? a[total] : a) as Row)

/**
 * What `--csv` writes for each report that answers with one list: a row an item, in the order the report gives them,
 * and a row of the total after them where the report has one (the periods instead, for a report asked by
 * interval); a nested value (a cohort's rates, a campaign's links) as JSON in its cell. A spreadsheet takes it as
 * it is.
 */
const CSV_ROWS: Record<string, (answer: Answer) => Row[]> = {
  events: list('rows'),
  properties: list('properties'),
  rejected: list('rows'),
  plan: list('rows'),
  experiments: list('rows'),
  experiment: list('variants'),
  traffic: listWithTotal('rows', 'key=(all)', 'total'),
  pages: listWithTotal('rows', 'path=(all)', 'total'),
  retention: list('cohorts'),
  'time-of-day': list('cells'),
  nps: (a) => (a.segments ?? a.series) as Row[],
  survey: list('questions'),
  acquisition: listWithTotal('rows', 'key=(all)', 'total'),
  products: listWithTotal('rows', 'key=(all)', 'total'),
  links: listWithTotal('rows', 'key=(all)', 'total'),
  stores: listWithTotal('rows', 'storeId=(all)', 'total'),
  // with --interval, the periods: what a chart over time is drawn from
  subscriptions: (a) => (a.series as Row[] | undefined) ?? listWithTotal('plans', 'plan=(all)')(a),
  support: (a) => (a.series as Row[] | undefined) ?? listWithTotal('rows', 'value=(all)')(a),
  paths: (a) => (a.paths as Array<{ steps: string[] }>).map((x) => ({ ...x, steps: x.steps.join(' → ') })),
  email: list('campaigns'),
  // each trait asked for in a column of its own (`traits.email`), for a mailing tool to read
  customers: (a) =>
    (a.customers as Array<Row & { traits?: Record<string, string | null> }>).map(({ traits, ...c }) => ({
      ...c,
      ...traitColumns(traits),
    })),
}

/** The column that names each row of a report listed by key, for setting a row beside the range before's. */
const KEY_COLUMN: Record<string, string> = {
  events: 'event',
  traffic: 'key',
  pages: 'path',
  acquisition: 'key',
  products: 'key',
  links: 'key',
  stores: 'storeId',
  support: 'value',
}

/**
 * A report's answer as CSV, or an error naming what to use for a report that is no one list. With --compare, each
 * numeric column of a report listed by key is followed by the range before's (`previousSessions` after
 * `sessions`), empty where that range had no row of the key.
 */
export function reportCsv(kind: string, answer: unknown): string {
  const rows = CSV_ROWS[kind]
  if (!rows) throw new Error(`--csv: the ${kind} report is not one list; --json gives all of it`)
  const a = answer as Answer
  if (!a.previous) return formatCsv(rows(a))
  const key = KEY_COLUMN[kind]
  if (!key || a.series)
    throw new Error(
      `--csv --compare: the ${kind} report's list has no keys to set beside the range before's; --json gives both`,
    )
  const now = rows(a)
  const before = new Map(rows(a.previous as Answer).map((row) => [String(row[key]), row]))
  // a column is a figure where any row has a number in it (a median is null where there was nothing to take)
  const figures = new Set(now.flatMap((row) => Object.keys(row).filter((c) => typeof row[c] === 'number')))
  const previous = (c: string) => `previous${c[0]?.toUpperCase()}${c.slice(1)}`
  return formatCsv(
    now.map((row) => {
      const b = before.get(String(row[key]))
      return Object.fromEntries(
        Object.entries(row).flatMap(([c, v]) =>
          figures.has(c)
            ? [
                [c, v],
                [previous(c), b?.[c] ?? null],
              ]
            : [[c, v]],
        ),
      )
    }),
  )
}
/**
 * Attribution as CSV: a row for each model and key, with its conversions and revenue; with --compare, the range
 * before's beside them (empty where the model credited the key nothing then).
 */
export function attributionCsv(r: Compared<AttributionResult>): string {
  const id = (model: string, key: string) => `${model}\u0000${key}`
  const before = new Map(r.previous?.models.flatMap((m) => m.rows.map((row) => [id(m.model, row.key), row])))
  return formatCsv(
    r.models.flatMap((m) =>
      m.rows.map((row) => {
        const b = before.get(id(m.model, row.key))
        return {
          model: m.model,
          ...row,
          ...(r.previous && {
            previousConversions: b?.conversions ?? null,
            previousRevenue: b?.revenue ?? null,
          }),
        }
      }),
    ),
  )
}
