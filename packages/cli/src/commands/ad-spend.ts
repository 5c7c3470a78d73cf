import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  AdSpendCurrencyError,
  type AdSpendRow,
  createClickHouse,
  insertAdSpend,
  sumAdSpend,
} from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'
import { decimalOption } from '../import/numbers'
import { requireKnownProject } from '../projects-file'
import { fieldOptions, parseSpendCsv, type SpendFile, textOf } from './ad-spend-file'
import { postToCollector } from './collector-api'
import { money } from './report-text'

export const SPEND_USAGE =
  'usage: touchpoint spend FILE.csv [--project dev] [--map field=column ...] [--set field=value ...] [--decimal .|,] [--json]'

/** what a request carries at most: the collector takes 10,000 rows and a body of 1 MiB (MAX_BODY_BYTES) */
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
      decimal: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) throw new Error(SPEND_USAGE)
  const project = values.project as string
  // one row per day and tags before the file is split into requests, so no request replaces another's part of a day
  const read = parseSpendCsv(textOf(await readFile(file)), {
    map: fieldOptions('map', values.map as string[]),
    set: fieldOptions('set', values.set as string[]),
    decimal: decimalOption(values.decimal),
  })
  const parsed = read.rows
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
  const leftOut = { above: read.above, totals: read.totals }
  const summary = {
    project,
    stored,
    from: days[0],
    to: days.at(-1),
    cost: Object.fromEntries(costs),
    leftOut,
  }
  if (values.json) return `${JSON.stringify(summary, null, 2)}\n`
  const cost = [...costs].map(([currency, sum]) => money(sum, [currency])).join(' + ')
  return `stored ${stored} rows of ad spend for project ${project}, ${summary.from} to ${summary.to}: ${cost}\n${leftOutText(read)}`
}

/** What of an export was not read as spend: its own lines above the header, and its report totals. */
function leftOutText({ above, totals }: SpendFile): string {
  const parts = [
    above > 0 && `${above} line${above === 1 ? '' : 's'} above the header`,
    totals.length > 0 && `the report's totals (line ${totals.join(', ')})`,
  ].filter(Boolean)
  return parts.length ? `left out ${parts.join(' and ')}\n` : ''
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
  requireKnownProject(config, project)
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
