import { createHash } from 'node:crypto'
import { closeSync, existsSync, openSync, statSync, truncateSync, writeSync } from 'node:fs'
import { Touchpoint, TouchpointValidationError } from '@touchpoint/node'
import { csvRecordComplete, detectDelimiter, parseCsvRecord } from './csv'
import { buildMapping, FieldError, type Mapping, rowToEvent } from './mapping'
import { type DecimalMark, decimalMarkOf } from './numbers'
import { Progress } from './progress'
import { readRecords, type SourceRecord } from './records'
import { fingerprint, type ImportState, loadState, saveState } from './state'

export interface ImportOptions {
  file: string
  format: 'ndjson' | 'csv'
  host: string
  secretKey: string
  /** CSV: `field[:type]=column` */
  maps: string[]
  /** CSV: `field=value` */
  sets: string[]
  /** CSV: the field delimiter; by default the one of comma, semicolon and tab the header holds most */
  delimiter?: string
  /** CSV: the decimal mark of number columns; by default a comma when fields are split by semicolons, else a point */
  decimal?: DecimalMark
  statePath: string
  rejectsPath: string
  /** ignore a saved state and start from the first row */
  restart: boolean
  /** rows acknowledged between two saved states */
  chunkRows: number
  progress?: NodeJS.WriteStream
}

export interface ImportSummary {
  file: string
  /** rows read in this run */
  read: number
  /** rows the collector acknowledged and stored in this run */
  imported: number
  /** rows refused in this run (by the import or by the collector), listed in the rejects file */
  rejected: number
  /** rows of earlier runs, skipped because they were already acknowledged */
  resumedAfter: number
  /** totals over every run of this import */
  total: { imported: number; rejected: number }
  rejectsFile: string
  seconds: number
  rowsPerSecond: number
  /** resident memory when a quarter, half, three quarters and all of this run's part of the file were read, and its peak (MiB) */
  memory: { quartersMiB: number[]; peakMiB: number }
}

interface Pending {
  line: number
  text: string
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/** A row without a messageId gets one from its line number and content: the same row of a re-run, the same id. */
const rowId = (r: SourceRecord) =>
  `import-${createHash('sha256').update(`${r.line}\n${r.text}`).digest('hex').slice(0, 32)}`

/** The import client: Touchpoint, sending each row as the call type it names. */
class Importer extends Touchpoint {
  send(type: string, row: Record<string, unknown>) {
    this.enqueue(type as 'track', row)
  }
}

/**
 * Streams an NDJSON or CSV export through the collector with the secret key, in chunks: each chunk's rows are
 * acknowledged (or refused, with their line and reason in the rejects file) before the state moves past them.
 * Killed part-way, a re-run starts after the last acknowledged chunk; rows of the chunk that was cut short go
 * again with the same messageIds and count once.
 */
export async function runImport(o: ImportOptions): Promise<ImportSummary> {
  const size = statSync(o.file).size
  const print = fingerprint(o.file)
  const saved = o.restart ? undefined : loadState(o.statePath)
  if (saved && saved.fingerprint !== print)
    throw new Error(
      `${o.statePath} belongs to another file (its first 64 KiB differ); pass --restart to import this one from the start`,
    )
  const state: ImportState = saved ?? {
    version: 1,
    fingerprint: print,
    offset: 0,
    line: 1,
    rejectsBytes: 0,
    imported: 0,
    rejected: 0,
    done: false,
  }
  if (!saved || !existsSync(o.rejectsPath)) closeSync(openSync(o.rejectsPath, 'w'))
  truncateSync(o.rejectsPath, state.rejectsBytes)
  const rejects = openSync(o.rejectsPath, 'a')

  let mapping: Mapping | undefined
  let header: string[] = []
  let delimiter = ','
  if (o.format === 'csv') {
    const first = await readRecords(o.file, { offset: 0, line: 1 }, csvRecordComplete).next()
    if (first.done) throw new Error(`${o.file} is empty: a CSV import needs a header row`)
    delimiter = o.delimiter ?? detectDelimiter(first.value.text)
    header = parseCsvRecord(first.value.text, delimiter)
    mapping = buildMapping(header, o.maps, o.sets, decimalMarkOf(delimiter, o.decimal))
    if (state.offset === 0) Object.assign(state, { offset: first.value.end, line: first.value.line + 1 })
  }

  let failure: string | undefined
  let chunkRejects: Array<{ line: number; reasons: unknown; raw: string }> = []
  let inChunk = new Map<string, Pending>()
  const client = new Importer({
    secretKey: o.secretKey,
    host: o.host,
    source: 'import',
    flushAt: 500,
    maxBatchEvents: 500,
    flushInterval: 1_000,
    onDrop: (messages, reason) => {
      failure ??= `${messages.length} row(s) not delivered: ${reason}`
    },
    onRejected: (rejections) => {
      for (const r of rejections) {
        const p = inChunk.get(String(r.message.messageId))
        chunkRejects.push({
          line: p?.line ?? 0,
          reasons: r.issues,
          raw: p?.text ?? JSON.stringify(r.message),
        })
      }
    },
  })

  const progress = new Progress(size, o.progress)
  const started = Date.now()
  const summary = { read: 0, imported: 0, rejected: 0 }
  const memory = { quartersMiB: [] as number[], peakMiB: 0 }
  let last: SourceRecord | undefined
  let localRejects = 0
  const startOffset = state.offset
  const before = { imported: state.imported, rejected: state.rejected }

  const commit = async () => {
    if (!last) return
    await client.flush()
    if (failure) {
      throw new Error(
        `${failure}. Rows from line ${state.line} on are not recorded as imported; run the same command again to resume.`,
      )
    }
    chunkRejects.sort((a, b) => a.line - b.line)
    const text = chunkRejects.map((r) => `${JSON.stringify(r)}\n`).join('')
    if (text) writeSync(rejects, text)
    const refusedByCollector = chunkRejects.length - localRejects
    summary.imported += inChunk.size - refusedByCollector
    summary.rejected += chunkRejects.length
    Object.assign(state, {
      offset: last.end,
      line: last.line + 1 + (last.text.match(/\n/g)?.length ?? 0),
      rejectsBytes: state.rejectsBytes + Buffer.byteLength(text),
      imported: before.imported + summary.imported,
      rejected: before.rejected + summary.rejected,
    })
    saveState(o.statePath, state)
    const rss = process.memoryUsage.rss()
    const share = (state.offset - startOffset) / Math.max(1, size - startOffset)
    while (memory.quartersMiB.length < 4 && share >= (memory.quartersMiB.length + 1) / 4)
      memory.quartersMiB.push(mib(rss))
    memory.peakMiB = Math.max(memory.peakMiB, mib(rss))
    progress.update(state.offset, summary.read)
    inChunk = new Map()
    chunkRejects = []
    localRejects = 0
  }

  if (!state.done) {
    for await (const record of readRecords(
      o.file,
      { offset: state.offset, line: state.line },
      o.format === 'csv' ? csvRecordComplete : undefined,
    )) {
      summary.read++
      last = record
      const reject = (reason: string, path = '') => refuse([{ path, message: reason }])
      const refuse = (reasons: Array<{ path: string; message: string }>) => {
        chunkRejects.push({ line: record.line, reasons, raw: record.text })
        localRejects++
      }
      try {
        const row = mapping
          ? rowToEvent(header, parseCsvRecord(record.text, delimiter), mapping)
          : JSON.parse(record.text)
        if (typeof row !== 'object' || row === null || Array.isArray(row))
          reject('the row is not a JSON object')
        else {
          row.messageId ??= rowId(record)
          client.send(typeof row.type === 'string' ? row.type : 'track', row) // throws when it cannot be sent
          inChunk.set(String(row.messageId), { line: record.line, text: record.text })
        }
      } catch (err) {
        if (err instanceof SyntaxError) reject(`not valid JSON: ${err.message}`)
        else if (err instanceof FieldError) reject(err.message, err.path)
        // the client's own checks name their fields, as the collector's do
        else if (err instanceof TouchpointValidationError && err.issues.length) refuse(err.issues)
        else if (err instanceof Error) reject(err.message)
        else throw err
      }
      if (inChunk.size + localRejects >= o.chunkRows) await commit()
    }
    await commit()
    state.done = true
    saveState(o.statePath, state)
  }
  await client.close()
  closeSync(rejects)
  progress.update(state.offset, summary.read, true)
  progress.finish()
  const seconds = (Date.now() - started) / 1000
  return {
    file: o.file,
    ...summary,
    resumedAfter: before.imported + before.rejected,
    total: { imported: state.imported, rejected: state.rejected },
    rejectsFile: o.rejectsPath,
    seconds,
    rowsPerSecond: Math.round(summary.read / Math.max(seconds, 0.001)),
    memory,
  }
}
