import { rmSync } from 'node:fs'
import { createClickHouse, insertJsonEachRow, migrate, TABLES, type TableName } from '@touchpoint/clickhouse'
import { toEventRow } from '../services/collector/src/enrich/event-row'
import { EventProcessor } from '../services/collector/src/ingest/process'
import { tempDir } from '../test/helpers/collector'
import { browserFacts, event } from './load'
import { median } from './stats'

/**
 * What one batch of event rows costs the embedded engine by each insert path, alternating so the VM's drift
 * falls on all of them: the rows as the insert's inline data (how chDB's connection passes a request body, and
 * the path a ClickHouse server gets over HTTP) against the same rows staged in a file and inserted FROM INFILE
 * (what insertJsonEachRow does in embedded mode); and rows with every column against rows without their empty
 * fields (what the collector sends). Wall time and the process's CPU time (every thread) per insert.
 * `tsx bench/insert-path.ts [rows] [rounds]`.
 *
 * With `--tables` (`tsx bench/insert-path.ts --tables [rows] [rounds]`), what an insert's CPU goes to: the
 * collector's rows, FROM INFILE, into `events`, into a copy without the session parts' view, a copy without the
 * view and the bloom-filter indexes, and a table of the same columns with the Null engine, which parses the rows
 * into the columns' types and stores nothing.
 */
const tables = process.argv[2] === '--tables'
const [rowsArg, roundsArg] = process.argv.slice(tables ? 3 : 2)
const rows = Number(rowsArg ?? 5000)
const rounds = Number(roundsArg ?? 7)
const dir = tempDir('tp-bench-insert-')
const ch = await createClickHouse({ dataDir: dir })
await migrate(ch)
const processor = new EventProcessor()

function batch(rowsOf: 'full' | 'compact'): string {
  const facts = browserFacts()
  if (rowsOf === 'full')
    return Array.from({ length: rows }, () =>
      JSON.stringify(toEventRow(event as Parameters<typeof toEventRow>[0], facts)),
    ).join('\n')
  // anonymous, valid track calls: one event record each, no identity links and no rejects
  const { records } = processor.process(Array(rows).fill(event), 'track', facts, '/v1/batch', 100)
  return records.map((r) => r.payload).join('\n')
}

const inline = { ...ch, stagingDir: undefined }
type Variant = readonly [typeof ch, 'full' | 'compact', TableName]
const NULL_TABLE = 'bench_null' as TableName
/** The bloom-filter indexes of events (migration 1). */
const BLOOM_INDEXES = ['idx_event_id', 'idx_user_id', 'idx_anonymous_id']
const paths: Record<string, Variant> = tables
  ? {
      events: [ch, 'compact', TABLES.events],
      'without the view': [ch, 'compact', await copyOfEvents('bench_no_view', [])],
      'without view and indexes': [ch, 'compact', await copyOfEvents('bench_no_index', BLOOM_INDEXES)],
      'Null engine': [ch, 'compact', await copyOfEvents(NULL_TABLE, [], 'Null')],
    }
  : {
      'full rows, inline': [inline, 'full', TABLES.events],
      'full rows, FROM INFILE': [ch, 'full', TABLES.events],
      'compact rows, inline': [inline, 'compact', TABLES.events],
      'compact rows, FROM INFILE': [ch, 'compact', TABLES.events],
    }

/** A table with the columns of events and no view reading from it, without the given indexes. */
async function copyOfEvents(name: string, dropIndexes: string[], engine?: 'Null'): Promise<TableName> {
  await ch.client.command({
    query: `CREATE TABLE ${name} AS ${TABLES.events}${engine ? ` ENGINE = ${engine}` : ''}`,
  })
  for (const index of dropIndexes)
    await ch.client.command({ query: `ALTER TABLE ${name} DROP INDEX ${index}` })
  return name as TableName
}
const figures: Record<string, { wallMs: number[]; cpuMs: number[] }> = {}
let token = 0
for (let round = 0; round <= rounds; round++) {
  for (const [name, [handle, rowsOf, table]] of Object.entries(paths)) {
    const body = batch(rowsOf)
    const cpu = process.cpuUsage()
    const started = performance.now()
    await insertJsonEachRow(handle, table, body, `bench-${token++}`)
    const wallMs = performance.now() - started
    const used = process.cpuUsage(cpu)
    if (round === 0) continue // the first round warms the engine up
    figures[name] ??= { wallMs: [], cpuMs: [] }
    figures[name].wallMs.push(wallMs)
    figures[name].cpuMs.push((used.user + used.system) / 1000)
  }
}
// every variant's table but the Null one stores each of its rows
const storing = [...new Set(Object.values(paths).map(([, , table]) => table))].filter((t) => t !== NULL_TABLE)
const counts = new Map<string, number>()
for (const table of storing) {
  const rs = await ch.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
  counts.set(table, Number(((await rs.json()) as [{ n: string }])[0].n))
}
await ch.close()
rmSync(dir, { recursive: true, force: true })

console.log(`${rows} event rows per insert, ${rounds} rounds, medians:`)
for (const [name, f] of Object.entries(figures)) {
  const wall = median(f.wallMs)
  console.log(
    `  ${name.padEnd(26)} ${wall.toFixed(0).padStart(5)} ms wall, ${median(f.cpuMs).toFixed(0).padStart(5)} ms CPU (${((median(f.cpuMs) * 1000) / rows).toFixed(1)} µs a row), ${Math.round(rows / (wall / 1000)).toLocaleString('en')} rows/s`,
  )
}
for (const table of storing) {
  const inserts = Object.values(paths).filter(([, , t]) => t === table).length * (rounds + 1)
  if (counts.get(table) !== inserts * rows)
    throw new Error(`${table} stored ${counts.get(table)} rows, expected ${inserts * rows}`)
}
console.log(`  every row stored (${storing.join(', ')})`)
