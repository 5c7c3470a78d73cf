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
import { csvRecordComplete, parseCsvRecord } from '../import/csv'
import { postToCollector } from './collector-api'
import { money } from './report-text'

export const SPEND_USAGE = 'usage: touchpoint spend FILE.csv [--project dev] [--json]'

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

/** The CSV records of a file's text, each with the line it starts on; a quoted field may hold line ends. */
function records(text: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = []
  let pending = ''
  let start = 0
  text.split(/\r?\n/).forEach((line, i) => {
    if (!pending) start = i + 1
    pending = pending ? `${pending}\n${line}` : line
    if (!csvRecordComplete(pending)) return
    if (pending.trim()) out.push({ line: start, fields: parseCsvRecord(pending) })
    pending = ''
  })
  if (pending) throw new Error(`line ${start}: a quoted field is not closed`)
  return out
}

/**
 * An ad spend file's rows, checked as the collector checks them (adSpendInput), with the line and column of the
 * first that is not right. The header names the columns, in any order; others are refused, so a typo in a
 * column's name does not drop its figures.
 */
export function parseSpendCsv(text: string): Array<{ line: number; row: Omit<AdSpendRow, 'channel'> }> {
  const [header, ...rows] = records(text)
  if (!header) throw new Error('the file is empty: its first line names the columns')
  const names = header.fields.map((f) => f.trim().toLowerCase())
  for (const name of names)
    if (!(COLUMNS as readonly string[]).includes(name))
      throw new Error(`line 1: unknown column "${name}"; the columns are ${COLUMNS.join(', ')}`)
  for (const name of REQUIRED)
    if (!names.includes(name)) throw new Error(`line 1: the column ${name} is missing`)
  return rows.map(({ line, fields }) => {
    const raw: Record<string, unknown> = {}
    names.forEach((name, i) => {
      const value = (fields[i] ?? '').trim()
      if (value === '' && name !== 'source') return
      raw[name] = NUMBERS.has(name) ? Number(value) : value
    })
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
    options: { project: { type: 'string', default: 'dev' }, json: { type: 'boolean', default: false } },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) throw new Error(SPEND_USAGE)
  const project = values.project as string
  // one row per day and tags before the file is split into requests, so no request replaces another's part of a day
  const parsed = parseSpendCsv(await readFile(file, 'utf8'))
  const rows = linesOf(parsed, () => sumAdSpend(parsed.map(({ row }) => ({ ...row, channel: '' }))))
  if (rows.length === 0) throw new Error(`${file} has no rows under its header`)
  const inputs = rows.map(({ channel: _, ...r }) => r)
  let stored = 0
  for (const chunk of chunks(inputs)) {
    const answer = config.clickhouse.url
      ? undefined
      : await postToCollector<{ stored: number }>(config, '/api/ad-spend', { project, rows: chunk })
    stored += answer?.stored ?? (await storeDirectly(config, project, chunk))
  }
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
