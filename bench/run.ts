import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchImport } from './import'
import { benchIngest } from './ingest'
import { benchKafka } from './kafka'
import { checkout, machine } from './machine'
import { benchQueries } from './queries'
import { importReport, ingestReport, kafkaReport, queriesReport, sdkReport } from './report'
import { benchSdkSize } from './sdk-size'

/**
 * `pnpm bench`: every figure of the benchmark suite, printed as tables and written to bench/results.json.
 * Sections: sdk (tp.js next to four peers), ingest (embedded collector and the email pixel against a bare
 * Fastify route, the loader, freshness), kafka (the same through a real broker and the ingester), queries (on
 * synthetic events in the embedded engine) and import (`touchpoint import` of an NDJSON file).
 * Options: --only sdk,ingest,kafka,queries,import (default all; a section not run keeps its figures from the
 * previous results.json), --seconds N per load run (default 10), --connections N (default 50), --rounds N of the
 * ingest section's runs, collector and bare route in turn (default 3), --events N for the queries (default
 * 10,000,000), --runs N (default 5), --import-rows N (default 1,000,000).
 */
const SECTIONS = ['sdk', 'ingest', 'kafka', 'queries', 'import'] as const
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: SECTIONS.join(',') },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    events: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '5' },
    'import-rows': { type: 'string', default: '1000000' },
  },
})
const only = new Set(values.only.split(','))
for (const s of only)
  if (!SECTIONS.includes(s as never)) throw new Error(`--only ${s}: sections are ${SECTIONS.join(', ')}`)
const seconds = Number(values.seconds)
const connections = Number(values.connections)
const rounds = Number(values.rounds)
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds ${values.rounds}: a whole number, 1 or more`)
const resultsFile = join(import.meta.dirname, 'results.json')
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {}

const started = new Date()
const commit = checkout()
process.stderr.write(
  `Touchpoint benchmarks of ${commit} on ${machine().cores} cores: ${[...only].join(', ')}\n`,
)
const runners = {
  sdk: benchSdkSize,
  ingest: () => benchIngest(seconds, connections, rounds),
  kafka: () => benchKafka(seconds, connections),
  queries: () => benchQueries(Number(values.events), Number(values.runs)),
  import: () => benchImport(Number(values['import-rows'])),
}
type Results = { [K in keyof typeof runners]?: Awaited<ReturnType<(typeof runners)[K]>> }

// each section's figures are written as soon as it is done, so one that fails keeps those measured before it;
// a section not run keeps the figures of an earlier run, and `commits` the checkout that measured each section
const results: Results = Object.fromEntries(SECTIONS.map((name) => [name, previous[name]]))
const ran: string[] = []
const failed: string[] = []
const save = () => {
  const commits = { ...previous.commits, ...Object.fromEntries(ran.map((name) => [name, commit])) }
  const all = { ...previous, started: started.toISOString(), commits, machine: machine(), ...results, ran }
  writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`)
}
for (const name of SECTIONS) {
  if (!only.has(name)) continue
  try {
    ;(results as Record<string, unknown>)[name] = await runners[name]()
    ran.push(name)
    save()
  } catch (err) {
    failed.push(name)
    process.stderr.write(`section ${name} failed: ${(err as Error).stack ?? err}\n`)
  }
}

const { sdk, ingest, kafka, queries, import: imported } = results
process.stdout.write(
  [
    sdk && sdkReport(sdk),
    ingest && ingestReport(ingest),
    kafka && kafkaReport(kafka, ingest),
    queries && queriesReport(queries),
    imported && importReport(imported),
  ]
    .filter(Boolean)
    .join(''),
)
process.stdout.write(
  `\nwritten to ${resultsFile}${ran.length ? '' : ' (nothing: no section ran to its end)'}\n`,
)
if (failed.length) {
  process.stderr.write(`failed: ${failed.join(', ')}; their figures are the previous run's\n`)
  process.exitCode = 1
}
