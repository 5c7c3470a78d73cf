import { rmSync } from 'node:fs'
import {
  createClickHouse,
  ddlContext,
  insertJsonEachRow,
  MIGRATIONS,
  migrate,
  TABLES,
} from '@touchpoint/clickhouse'
import { EventProcessor } from '../services/collector/src/ingest/process'
import { tempDir } from '../test/helpers/collector'
import { browserFacts } from './load'
import { median } from './stats'

/**
 * What the session parts' materialized view (migration 5) adds to an insert into events: 5,000-row inserts of
 * browser-like events (five to a session, each session on a device of its own, with a campaign), alternately
 * with the view and with it dropped, in one embedded engine. The process's CPU time (every thread) per insert.
 * `tsx bench/session-parts-cost.ts [rows] [rounds]`.
 */
const rows = Number(process.argv[2] ?? 5000)
const rounds = Number(process.argv[3] ?? 30)
if (rows % 5 !== 0) throw new Error('rows must be a multiple of 5: five events to a session')
const dir = tempDir('tp-bench-session-parts-')
const ch = await createClickHouse({ dataDir: dir })
await migrate(ch)
const createView = MIGRATIONS.find((m) => m.version === 5)!
  .up(ddlContext(undefined))
  .find((statement) => statement.startsWith('CREATE MATERIALIZED VIEW'))!
const processor = new EventProcessor()
const facts = browserFacts()

let sent = 0
function batch(): string {
  const events = Array.from({ length: rows }, (_, i) => {
    const session = Math.floor((sent + i) / 5)
    return {
      type: 'track',
      event: 'Bench Event',
      anonymousId: `anon-${session}`,
      properties: { plan: 'pro', n: 1 },
      context: { sessionId: `session-${session}`, campaign: { source: 'newsletter', medium: 'email' } },
    }
  })
  sent += rows
  const { records } = processor.process(events, 'track', facts, '/v1/batch', 100)
  return records.map((r) => r.payload).join('\n')
}

const cpuMs: Record<'with the view' | 'without it', number[]> = { 'with the view': [], 'without it': [] }
let token = 0
for (let round = 0; round <= rounds; round++) {
  for (const side of Object.keys(cpuMs) as (keyof typeof cpuMs)[]) {
    await ch.client.command({
      query: side === 'with the view' ? createView : `DROP VIEW IF EXISTS ${TABLES.sessionPartsView}`,
    })
    const body = batch()
    const cpu = process.cpuUsage()
    await insertJsonEachRow(ch, TABLES.events, body, `bench-${token++}`)
    const used = process.cpuUsage(cpu)
    if (round > 0) cpuMs[side].push((used.user + used.system) / 1000) // the first round warms the engine up
  }
}
const rs = await ch.client.query({
  query: `SELECT (SELECT count() FROM ${TABLES.events}) AS events, (SELECT count() FROM ${TABLES.sessionParts} FINAL) AS parts`,
  format: 'JSONEachRow',
})
const [counts] = (await rs.json()) as [{ events: string; parts: string }]
await ch.close()
rmSync(dir, { recursive: true, force: true })

// every event is stored; every session inserted while the view stood has its part
const expected = { events: sent, parts: ((rounds + 1) * rows) / 5 }
if (Number(counts.events) !== expected.events || Number(counts.parts) !== expected.parts)
  throw new Error(`stored ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`)
console.log(`${rows} event rows per insert, ${rounds} rounds, alternating, medians of the process's CPU:`)
for (const [side, ms] of Object.entries(cpuMs))
  console.log(
    `  ${side.padEnd(13)} ${median(ms).toFixed(1).padStart(6)} ms, ${((median(ms) * 1000) / rows).toFixed(1)} µs a row`,
  )
const [w, wo] = [median(cpuMs['with the view']), median(cpuMs['without it'])]
console.log(
  `  the view: ${(((w - wo) * 1000) / rows).toFixed(1)} µs a row (${Math.round((w / wo - 1) * 100)}%)`,
)
