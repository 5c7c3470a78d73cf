import { rmSync } from 'node:fs'
import { createClickHouse, insertJsonEachRow, migrate, TABLES } from '@touchpoint/clickhouse'
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
 */
const rows = Number(process.argv[2] ?? 5000)
const rounds = Number(process.argv[3] ?? 7)
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
const paths = {
  'full rows, inline': [inline, 'full'],
  'full rows, FROM INFILE': [ch, 'full'],
  'compact rows, inline': [inline, 'compact'],
  'compact rows, FROM INFILE': [ch, 'compact'],
} as const
const figures: Record<string, { wallMs: number[]; cpuMs: number[] }> = {}
let token = 0
for (let round = 0; round <= rounds; round++) {
  for (const [name, [handle, rowsOf]] of Object.entries(paths)) {
    const body = batch(rowsOf)
    const cpu = process.cpuUsage()
    const started = performance.now()
    await insertJsonEachRow(handle, TABLES.events, body, `bench-${token++}`)
    const wallMs = performance.now() - started
    const used = process.cpuUsage(cpu)
    if (round === 0) continue // the first round warms the engine up
    figures[name] ??= { wallMs: [], cpuMs: [] }
    figures[name].wallMs.push(wallMs)
    figures[name].cpuMs.push((used.user + used.system) / 1000)
  }
}
const rs = await ch.client.query({
  query: `SELECT count() AS n FROM ${TABLES.events}`,
  format: 'JSONEachRow',
})
const [{ n }] = (await rs.json()) as [{ n: string }]
await ch.close()
rmSync(dir, { recursive: true, force: true })

console.log(`${rows} event rows per insert, ${rounds} rounds, medians:`)
for (const [name, f] of Object.entries(figures)) {
  const wall = median(f.wallMs)
  console.log(
    `  ${name.padEnd(26)} ${wall.toFixed(0).padStart(5)} ms wall, ${median(f.cpuMs).toFixed(0).padStart(5)} ms CPU, ${Math.round(rows / (wall / 1000)).toLocaleString('en')} rows/s`,
  )
}
const expected = (rounds + 1) * Object.keys(paths).length * rows
if (Number(n) !== expected) throw new Error(`stored ${n} rows, expected ${expected}`)
console.log(`  stored ${Number(n).toLocaleString('en')} rows, every one inserted`)
