import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  AdSpendCurrencyError,
  type AdSpendRow,
  adSpendInput,
  createClickHouse,
  insertAdSpend,
  sumAdSpend,
} from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'
import { csvRecordComplete, detectDelimiter, parseCsvRecord, withoutBom } from '../import/csv'
import { postToCollector } from './collector-api'
import { money } from './report-text'

export const SPEND_USAGE =
  'usage: touchpoint spend FILE.csv [--project dev] [--map field=column ...] [--set field=value ...] [--json]'

/** The columns of an ad spend file: day, source, cost and currency it must have; the others may be left out or empty. */
const COLUMNS = ['day', 'source', 'medium', 'campaign', 'cost', 'currency', 'clicks', 'impressions'] as const
const REQUIRED = ['day', 'source', 'cost', 'currency'] as const
const NUMBERS = new Set(['cost', 'clicks', 'impressions'])
/** what a request carries at most: the collector takes 10,000 rows and a body of 512 KiB (MAX_BODY_BYTES) */
const CHUNK_ROWS = 5_000
const CHUNK_BYTES = 384 * 1024

/** Rows in runs small enough for one request each. */
function* chunks<T>(rows: T[]): Generator<T[]> {
  let chunk: T[] = []
  let bytes = 0
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1
    if (chunk.length > 0 && (chunk.length === CHUNK_ROWS || bytes + size > CHUNK_BYTES)) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(row)
    bytes += size
  }
  if (chunk.length > 0) yield chunk
}

/**
 * The CSV records of a file's text, each with the line it starts on; a quoted field may hold line ends. A byte
 * order mark is left out, and the fields are split by the delimiter the header uses (comma, semicolon or tab).
 */
function records(text: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = []
  const lines = withoutBom(text).split(/\r?\n/)
  const delimiter = detectDelimiter(lines[0] ?? '')
  let pending = ''
  let start = 0
  lines.forEach((line, i) => {
    if (!pending) start = i + 1
    pending = pending ? `${pending}\n${line}` : line
    if (!csvRecordComplete(pending)) return
    if (pending.trim()) out.push({ line: start, fields: parseCsvRecord(pending, delimiter) })
    pending = ''
  })
  if (pending) throw new Error(`line ${start}: a quoted field is not closed`)
  return out
}

/** How a file's columns are read: `map` a field from a column of another name, `set` a field for every row. */
export interface SpendColumns {
  map?: Record<string, string>
  set?: Record<string, string>
}

const isField = (name: string) => (COLUMNS as readonly string[]).includes(name)

/** `field=value` options (--map, --set) as a record, each field one of the file's. */
function fieldOptions(option: string, pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    const field = pair.slice(0, eq).trim().toLowerCase()
    if (eq < 1 || !isField(field))
      throw new Error(`--${option} ${pair}: expected FIELD=VALUE, FIELD one of ${COLUMNS.join(', ')}`)
    out[field] = pair.slice(eq + 1).trim()
  }
  return out
}

/**
 * An ad spend file's rows, checked as the collector checks them (adSpendInput), with the line and column of the
 * first that is not right. The header names the columns, in any order, by the fields' names or, with `map`, by
 * the names an ad platform's export gives them (`--map cost="Cost (EUR)"`), whose other columns are then left
 * alone; without `map` a column of another name is refused, so a typo in one does not drop its figures. `set`
 * gives a field one value for every row (`--set source=google`), where the file has no column for it.
 */
export function parseSpendCsv(
  text: string,
  { map = {}, set = {} }: SpendColumns = {},
): Array<{ line: number; row: Omit<AdSpendRow, 'channel'> }> {
  const [header, ...rows] = records(text)
  if (!header) throw new Error('the file is empty: its first line names the columns')
  const names = header.fields.map((f) => f.trim().toLowerCase())
  const mapped = Object.keys(map).length > 0
  // each field's column: the one --map names, else the one of its own name
  const columnOf = new Map<string, number>()
  for (const field of COLUMNS) {
    if (set[field] !== undefined) continue
    const i = names.indexOf((map[field] ?? field).toLowerCase())
    if (i >= 0) columnOf.set(field, i)
    else if (map[field] !== undefined) throw new Error(`line 1: no column "${map[field]}" for --map ${field}`)
  }
  if (!mapped)
    for (const name of names)
      if (!isField(name))
        throw new Error(
          `line 1: unknown column "${name}"; the columns are ${COLUMNS.join(', ')} (--map FIELD=COLUMN reads one by another name)`,
        )
  for (const field of REQUIRED)
    if (!columnOf.has(field) && set[field] === undefined)
      throw new Error(
        `line 1: the column ${field} is missing (--map ${field}=COLUMN, or --set ${field}=VALUE for every row)`,
      )
  return rows.map(({ line, fields }) => {
    const raw: Record<string, unknown> = {}
    for (const field of COLUMNS) {
      const i = columnOf.get(field)
      const value = (i === undefined ? set[field] : fields[i])?.trim()
      if (value === undefined || (value === '' && field !== 'source')) continue
      if (NUMBERS.has(field) && Number.isNaN(Number(value)))
        throw new Error(
          `line ${line}: ${field}: "${value}" is not a number (written as 1234.56, no thousands separator)`,
        )
      raw[field] = NUMBERS.has(field) ? Number(value) : value
    }
    const parsed = adSpendInput.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new Error(`line ${line}: ${issue?.path.join('.') || 'row'}: ${issue?.message}`)
    }
    return { line, row: parsed.data }
  })
}

/**
 * `touchpoint spend FILE.csv`: what ads cost, by day and UTM tags, for attribution to set beside the revenue it
 * credits. Through the running collector (/api/ad-spend, admin key); with CLICKHOUSE_URL, or when no collector
 * answers, into ClickHouse itself. Rows of one day and tags add up; sending a day again replaces it.
 */
export async function spendCommand(config: CliConfig, args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: 'string', default: 'dev' },
      map: { type: 'string', multiple: true, default: [] },
      set: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) throw new Error(SPEND_USAGE)
  const project = values.project as string
  // one row per day and tags before the file is split into requests, so no request replaces another's part of a day
  const parsed = parseSpendCsv(await readFile(file, 'utf8'), {
    map: fieldOptions('map', values.map as string[]),
    set: fieldOptions('set', values.set as string[]),
  })
  const rows = linesOf(parsed, () => sumAdSpend(parsed.map(({ row }) => ({ ...row, channel: '' }))))
  if (rows.length === 0) throw new Error(`${file} has no rows under its header`)
  const inputs = rows.map(({ channel: _, ...r }) => r)
  // through the collector a request at a time; what it has not taken (none answers) into ClickHouse, opened once
  const pending = [...chunks(inputs)]
  let stored = 0
  if (!config.clickhouse.url)
    while (pending.length > 0) {
      const answer = await postToCollector<{ stored: number }>(config, '/api/ad-spend', {
        project,
        rows: pending[0],
      })
      if (!answer) break
      stored += answer.stored
      pending.shift()
    }
  if (pending.length > 0) stored += await storeDirectly(config, project, pending.flat())
  const days = rows.map((r) => r.day).sort()
  const costs = new Map<string, number>()
  for (const r of rows) costs.set(r.currency, (costs.get(r.currency) ?? 0) + r.cost)
  const summary = { project, stored, from: days[0], to: days.at(-1), cost: Object.fromEntries(costs) }
  if (values.json) return `${JSON.stringify(summary, null, 2)}\n`
  const cost = [...costs].map(([currency, sum]) => money(sum, [currency])).join(' + ')
  return `stored ${stored} rows of ad spend for project ${project}, ${summary.from} to ${summary.to}: ${cost}\n`
}

/** `sum()`, with a row that is refused named by its line in the file. */
function linesOf<T>(parsed: Array<{ line: number }>, sum: () => T): T {
  try {
    return sum()
  } catch (err) {
    if (!(err instanceof AdSpendCurrencyError)) throw err
    throw new Error(`line ${parsed[err.index]?.line}: currency: ${err.message.replace(/^[^ ]+ /, '')}`)
  }
}

/** With no collector to ask: the rows into ClickHouse opened here, each with its channel as the collector gives it. */
async function storeDirectly(
  config: CliConfig,
  project: string,
  rows: Array<Omit<AdSpendRow, 'channel'>>,
): Promise<number> {
  const { channelOf } = await import('@touchpoint/collector')
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    return await insertAdSpend(
      ch,
      project,
      rows.map((r) => ({ ...r, channel: channelOf(r) })),
    )
  } finally {
    await ch.close()
  }
}
