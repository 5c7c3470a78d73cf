import { type ClickHouse, erasureHash } from '@touchpoint/clickhouse'
import { ErasureLedger } from '../packages/loader/src/erasure-ledger'
import { EventProcessor } from '../services/collector/src/ingest/process'
import { browserFacts, event } from './load'
import { median } from './stats'

/**
 * What the erasure ledger costs a loader for each record, by the case a record meets: no erasure in its project,
 * erasures in its project made before it was received (every live event once a project has erased anybody),
 * and a record received before the last of them (a re-read of Kafka, a spool after a crash: its ids are hashed and
 * looked up). Rows as the collector writes them (through Kafka), and event inputs as the embedded spool keeps them.
 * An empty ledger costs nothing: the loader does not look at the records. `tsx bench/erasure-ledger-cost.ts
 * [records] [rounds] [erased ids]`.
 */
const [recordsArg, roundsArg, idsArg] = process.argv.slice(2)
const records = Number(recordsArg ?? 100_000)
const rounds = Number(roundsArg ?? 7)
const erasedIds = Number(idsArg ?? 10_000)

const processed = (deferRows: boolean, receivedAt: number) =>
  new EventProcessor(undefined, { deferRows })
    .process(Array(records).fill(event), 'track', { ...browserFacts(), receivedAt }, '/v1/batch', 100)
    .records.map((r) => r.payload)

// only a key for the ledger's listeners: these cases never read ClickHouse
const ledger = new ErasureLedger({} as ClickHouse)
const erasedAt = Date.now()
const ids = (project: string) =>
  Array.from({ length: erasedIds }, (_, i) => ({
    project,
    idHash: erasureHash(project, `user-${i}`),
    erasedAtMs: erasedAt,
  }))
ledger.add(ids('another-project'))
const live = { rows: processed(false, erasedAt + 1000), inputs: processed(true, erasedAt + 1000) }
const old = { rows: processed(false, erasedAt - 1000), inputs: processed(true, erasedAt - 1000) }

/** what the loader asks of each row (withoutErased) */
const dropped = (row: string) => ledger.isOld(row, 'event') && ledger.drops(row, 'event')

const cases: Array<[string, () => number]> = [
  ['rows, no erasure in their project', () => count(live.rows, dropped)],
  ['event inputs, no erasure in their project', () => count(live.inputs, (r) => ledger.mayDropInput(r))],
]
const sameProject: Array<[string, () => number]> = [
  ['rows received after the last erasure', () => count(live.rows, dropped)],
  ['event inputs received after it', () => count(live.inputs, (r) => ledger.mayDropInput(r))],
  ['rows received before it (ids hashed)', () => count(old.rows, dropped)],
]

function count(list: string[], check: (r: string) => boolean): number {
  let n = 0
  for (const r of list) if (check(r)) n++
  return n
}

function measure(name: string, run: () => number) {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint()
    const dropped = run()
    times.push(Number(process.hrtime.bigint() - started) / 1e3 / records)
    if (dropped) throw new Error(`${name}: ${dropped} dropped, where nobody of theirs was erased`)
  }
  console.log(`${name.padEnd(44)} ${median(times).toFixed(3)} µs a record (median of ${rounds})`)
}

console.log(`${records} records of ${live.rows[0]!.length} B (rows), ${erasedIds} erased ids a project`)
for (const [name, run] of cases) measure(name, run)
ledger.add(ids('bench'))
for (const [name, run] of sameProject) measure(name, run)
