import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { machine } from './machine'
import { benchQueries } from './queries'

/**
 * `pnpm bench`: every figure of the benchmark suite, printed as a table and written to bench/results.json.
 * Sections so far: analytics queries on synthetic events in the embedded engine.
 * Options: --events N (default 10,000,000), --runs N (default 5).
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '5' },
  },
})

const started = new Date()
process.stderr.write(`Touchpoint benchmarks on ${machine().cores} cores\n`)
const queries = await benchQueries(Number(values.events), Number(values.runs))

const ms = (x: number) => `${x.toFixed(0)} ms`
const rows = queries.figures.map((f) => ({
  figure: f.name,
  median: ms(f.medianMs),
  min: ms(f.minMs),
  max: ms(f.maxMs),
  runs: String(f.runs),
  note: f.note ?? '',
}))
const widths = Object.keys(rows[0] ?? {}).map((k) =>
  Math.max(k.length, ...rows.map((r) => r[k as keyof typeof r].length)),
)
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
process.stdout.write(
  [
    `\nAnalytics queries, embedded engine, ${queries.events.toLocaleString('en')} synthetic events (generated in ${(queries.generateMs / 1000).toFixed(1)} s)`,
    line(Object.keys(rows[0] ?? {})),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map((r) => line(Object.values(r))),
    '',
  ].join('\n'),
)

const out = join(import.meta.dirname, 'results.json')
writeFileSync(
  out,
  `${JSON.stringify({ started: started.toISOString(), machine: machine(), queries }, null, 2)}\n`,
)
process.stdout.write(`\nwritten to ${out}\n`)
