import { extname } from 'node:path'
import { parseArgs } from 'node:util'
import type { CliConfig } from '../config'
import { delimiterOption } from '../import/csv'
import { decimalOption } from '../import/numbers'
import type { ImportSummary } from '../import/run'
import { runImport } from '../import/run'
import { projectEntry } from '../projects-file'

export const IMPORT_USAGE = `usage: touchpoint import FILE [--format ndjson|csv] [--project dev] [--map field[:type]=column ...]
       [--set field=value ...] [--delimiter ,|;|tab] [--decimal .|,] [--rejects FILE] [--state FILE] [--restart] [--json]`

/**
 * `touchpoint import FILE`: NDJSON (Segment-shaped calls, one per line) or CSV (with a column mapping) through
 * the running collector with the project's secret key, recorded as source 'import'.
 */
export async function importCommand(config: CliConfig, args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      project: { type: 'string', default: 'dev' },
      map: { type: 'string', multiple: true, default: [] },
      set: { type: 'string', multiple: true, default: [] },
      delimiter: { type: 'string' },
      decimal: { type: 'string' },
      rejects: { type: 'string' },
      state: { type: 'string' },
      restart: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'chunk-rows': { type: 'string', default: '5000' },
    },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) throw new Error(IMPORT_USAGE)
  const format = values.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson')
  if (format !== 'csv' && format !== 'ndjson') throw new Error(`--format ${format}: expected ndjson or csv`)
  const csvOnly = values.map.length || values.set.length || values.delimiter !== undefined || values.decimal
  if (format === 'ndjson' && csvOnly)
    throw new Error('--map, --set, --delimiter and --decimal are for CSV files')
  const secretKey = config.secretKey ?? projectEntry(config, values.project).secretKey
  if (!secretKey)
    throw new Error(
      `no secret key for project ${values.project}: set TOUCHPOINT_SECRET_KEY or add it to the projects file`,
    )
  const chunkRows = Number(values['chunk-rows'])
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new Error('--chunk-rows: a positive whole number')
  const summary = await runImport({
    file,
    format,
    host: config.collectorUrl,
    secretKey,
    maps: values.map,
    sets: values.set,
    delimiter: delimiterOption(values.delimiter),
    decimal: decimalOption(values.decimal),
    statePath: values.state ?? `${file}.tp-import.json`,
    rejectsPath: values.rejects ?? `${file}.rejected.ndjson`,
    restart: values.restart,
    chunkRows,
  })
  return values.json ? `${JSON.stringify(summary, null, 2)}\n` : describe(summary)
}

function describe(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString('en')
  return [
    `imported ${n(s.imported)} of ${n(s.read)} rows read from ${s.file} in ${s.seconds.toFixed(1)} s (${n(s.rowsPerSecond)} rows/s)`,
    s.resumedAfter ? `resumed after ${n(s.resumedAfter)} rows of an earlier run` : '',
    s.rejected ? `rejected ${n(s.rejected)}: lines and reasons in ${s.rejectsFile}` : 'rejected 0',
    `all runs: ${n(s.total.imported)} imported, ${n(s.total.rejected)} rejected`,
    `memory (MiB) at 25/50/75/100% of the file: ${s.memory.quartersMiB.join(' / ') || '-'}; peak ${s.memory.peakMiB}`,
  ]
    .filter(Boolean)
    .join('\n')
    .concat('\n')
}
