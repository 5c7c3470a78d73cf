import type { ImportBench } from './import'
import { at80Rate, type IngestBench } from './ingest'
import type { KafkaBench } from './kafka'
import type { QueryBench } from './queries'
import type { SdkSize } from './sdk-size'

/** The printed side of `pnpm bench`: one text table per section. */
export function table(title: string, rows: Array<Record<string, string>>, footer: string[] = []): string {
  const keys = Object.keys(rows[0] ?? {})
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => (r[k] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [
    `\n${title}`,
    line(keys),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => r[k] ?? ''))),
    ...footer,
    '',
  ].join('\n')
}

const n = (x: number) => x.toLocaleString('en')
const pct = (x: number) => `${(x * 100).toFixed(0)}%`
const ms = (x: number) => `${x.toFixed(0)} ms`
const storedLine = (s: { acknowledged: number; sent: number; found: number }) =>
  `stored ${n(s.found)} events: ${s.found >= s.acknowledged && s.found <= s.sent ? 'every one of the' : 'MISMATCH with the'} ${n(s.acknowledged)} acknowledged, and no more than the ${n(s.sent)} sent`

const loadRows = (figures: IngestBench['figures']) =>
  figures.map((f) => ({
    run: f.name,
    'req/s': n(f.requestsPerSecond),
    'events/s': n(f.eventsPerSecond),
    p50: ms(f.p50Ms),
    p99: ms(f.p99Ms),
    errors: String(f.errors),
    idle: f.idlePct === undefined ? '' : `${f.idlePct}%`,
    steal: f.stealPct === undefined ? '' : `${f.stealPct}%`,
  }))

/** A ratio's median and, when the section ran in rounds, each round's ratio. */
const ratio = (i: IngestBench, kind: keyof IngestBench['ratios']) =>
  `${pct(i.ratios[kind] ?? 0)}${i.ratiosByRound ? ` (${i.ratiosByRound[kind].map(pct).join(', ')})` : ''}`

/**
 * The run at 80% of the collector's peak, open-loop: the rate asked, and the rate answered 2xx when it fell short
 * (requests that failed, or were still unanswered 10 s after the run). Latency counts from each request's time
 * in the schedule, so it includes any wait for a free connection while the collector lags.
 */
function at80Line(i: IngestBench): string {
  const peak = i.figures[0]?.requestsPerSecond ?? 0
  const asked = at80Rate(peak)
  const answered = i.at80.requestsPerSecond
  const short = answered < asked * 0.98 ? `, answered ${n(answered)}, ${pct(answered / peak)} of peak` : ''
  // results from before d8da1e2 have one run, by autocannon's fixed rate
  const byRound = i.at80P99ByRound
  const how = byRound ? 'open-loop' : "autocannon's fixed rate"
  const which = byRound ? ', the median round' : ''
  const rounds = byRound ? ` (each round's p99: ${byRound.map(ms).join(', ')})` : ''
  const bySecond = i.at80.p99BySecondMs
    ? `; its p99 in each second: ${i.at80.p99BySecondMs.map((x) => String(Math.round(x))).join(', ')} ms`
    : ''
  return `at 80% of peak, ${how} (${n(asked)} req/s asked${short})${which}: p50 ${ms(i.at80.p50Ms)}, p99 ${ms(i.at80.p99Ms)} (target < 50 ms)${rounds}${bySecond}`
}

/**
 * How long after each collector run its spool was empty. The loader lets a batch fill for 1 s first, so about
 * that much means it kept up. More is loading the run left for later: a closed-loop peak can do that for a
 * while, a steady rate cannot.
 */
function loadedAfterLine(i: IngestBench): string[] {
  const after = i.loadedAfterMsByRound
  if (!after) return []
  const kinds = Object.entries(after).map(([kind, msByRound]) => `${kind} ${msByRound.map(ms).join(', ')}`)
  return [`spool empty after each collector run (by round): ${kinds.join('; ')}`]
}

export function ingestReport(i: IngestBench): string {
  return table(
    `Ingest, embedded mode, durable acknowledgement; autocannon, ${i.connections} connections, ${i.seconds} s per run, each run's median over the rounds`,
    loadRows(i.figures),
    [
      `ratios to the bare route, median of ${i.rounds ?? 1} round(s) (each round's): single ${ratio(i, 'single')} (target 50%), batch events ${ratio(i, 'batch')} (target 60%), pixel ${ratio(i, 'pixel')} (target 70%), redirect ${ratio(i, 'redirect')}`,
      ...(i.stealByRound
        ? [
            `cores' time stolen by the hypervisor in each round, collector/bare route: ${Object.entries(
              i.stealByRound,
            )
              .map(
                ([kind, rounds]) =>
                  `${kind} ${rounds.map(([c, b]) => `${c ?? '?'}/${b ?? '?'}%`).join(', ')}`,
              )
              .join('; ')}`,
          ]
        : []),
      at80Line(i),
      ...loadedAfterLine(i),
      `${storedLine(i.stored)}; collector peak RSS ${i.collectorPeakRssMiB} MiB`,
      `loader: ${n(i.loader.rows)} rows in ${n(i.loader.batches)} inserts (mean ${n(i.loader.meanBatchRows)} rows), ${n(i.loader.rowsPerSecond)} rows/s of insert time`,
      `freshness at ${n(i.freshness.eventsPerSecond)} events/s: p50 ${ms(i.freshness.p50Ms)}, p95 ${ms(i.freshness.p95Ms)} (target < 2 s), max ${ms(i.freshness.maxMs)}`,
    ],
  )
}

export function kafkaReport(k: KafkaBench, bare?: IngestBench): string {
  const ref = (name: string) => bare?.figures.find((f) => f.name === name)
  const single = ref('bare route, single event')
  const batch = ref('bare route, 50-event batch')
  const [ks, kb] = k.figures
  return table(
    `Ingest through Kafka (real broker, 3 partitions) with the ingester; autocannon, ${k.connections} connections, ${k.seconds} s per run`,
    loadRows(k.figures),
    [
      single && batch && ks && kb
        ? `ratios to the bare route of the embedded section: single ${pct(ks.requestsPerSecond / single.requestsPerSecond)}, batch events ${pct(kb.eventsPerSecond / batch.eventsPerSecond)}`
        : '',
      `${storedLine(k.stored)}; peak RSS collector ${k.collectorPeakRssMiB} MiB, ingester ${k.ingesterPeakRssMiB} MiB`,
      `ingester: ${n(k.loader.rows)} rows in ${n(k.loader.batches)} inserts (mean ${n(k.loader.meanBatchRows)} rows), ${n(k.loader.rowsPerSecond)} rows/s of insert time`,
      `freshness at ${n(k.freshness.eventsPerSecond)} events/s: p50 ${ms(k.freshness.p50Ms)}, p95 ${ms(k.freshness.p95Ms)} (target < 5 s), max ${ms(k.freshness.maxMs)}`,
    ].filter(Boolean),
  )
}

export function queriesReport(q: QueryBench): string {
  return table(
    `Analytics queries, embedded engine, ${n(q.events)} synthetic events (generated in ${(q.generateMs / 1000).toFixed(1)} s)`,
    q.figures.map((f) => ({
      query: f.name,
      median: ms(f.medianMs),
      min: ms(f.minMs),
      max: ms(f.maxMs),
      runs: String(f.runs),
      'rows scanned': f.rowsScanned === undefined ? '' : n(f.rowsScanned),
      note: f.note ?? '',
    })),
  )
}

export function importReport(i: ImportBench): string {
  return table(`touchpoint import, NDJSON into the embedded collector (${i.fileMiB} MiB file)`, [
    {
      rows: n(i.rows),
      time: `${i.seconds.toFixed(1)} s`,
      'rows/s': n(i.rowsPerSecond),
      'RSS at 25/50/75/100%': `${i.memoryQuartersMiB.join(' / ')} MiB`,
      peak: `${i.peakMiB} MiB`,
      stored: `${n(i.stored)} (${n(i.distinct)} distinct)${i.stored === i.rows && i.distinct === i.rows ? '' : ' MISMATCH'}`,
    },
  ])
}

export function sdkReport(sizes: SdkSize[]): string {
  const ours = sizes[0]?.gzip ?? 1
  return table(
    'Browser SDK size, min + gzip -9, measured from the npm packages in this run',
    sizes.map((s) => ({
      sdk: `${s.name} ${s.version}`,
      minified: `${n(s.minified)} B`,
      'min+gzip': `${n(s.gzip)} B`,
      'vs tp.js': `${(s.gzip / ours).toFixed(2)}×`,
      how: s.how,
    })),
  )
}
