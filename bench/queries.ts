import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Analytics, generateSynthetic } from '@touchpoint/analytics'
import { type ClickHouse, createClickHouse, migrate, TABLES } from '@touchpoint/clickhouse'

export interface QueryFigure {
  name: string
  runs: number
  medianMs: number
  minMs: number
  maxMs: number
  /** Rows ClickHouse reads from the tables, by its own estimate (EXPLAIN ESTIMATE) of each query the call ran. */
  rowsScanned?: number
  note?: string
}

export interface QueryBench {
  events: number
  generateMs: number
  figures: QueryFigure[]
}

export const PROJECT = 'bench'
const log = (line: string) => process.stderr.write(`  ${line}\n`)
export const FROM = '2026-06-01'
export const TO = '2026-07-01'
export const STEPS = [
  { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] },
  { event: 'Signup Started' },
  { event: 'Signed Up' },
  { event: 'Order Completed' },
]

export type Queried = { query: string; query_params?: Record<string, unknown> }

export interface QueryRecorder {
  /** the handle's own method, which records nothing */
  query: ClickHouse['readonly']['query']
  /** the queries sent since the last take */
  take(): Queried[]
  /** puts the handle's own method back */
  restore(): void
}

/** Records the SQL sent on the read-only handle of `ch` from now on. */
export function recordQueries(ch: ClickHouse): QueryRecorder {
  let seen: Queried[] = []
  const query = ch.readonly.query.bind(ch.readonly)
  ch.readonly.query = ((args: Queried & Record<string, unknown>) => {
    seen.push({ query: args.query, query_params: args.query_params })
    return query(args as Parameters<typeof query>[0])
  }) as typeof ch.readonly.query
  return {
    query,
    take() {
      const queries = seen
      seen = []
      return queries
    },
    restore() {
      ch.readonly.query = query
    },
  }
}

/**
 * Counts the rows the analytics' queries read, so that each figure can say it: chDB has no query log and no
 * summary header, but EXPLAIN ESTIMATE gives ClickHouse's own count of the rows the primary index leaves to read.
 */
interface ScanCounter {
  /** forget the queries so far */
  start(): void
  /** rows read by the queries since start() */
  rows(): Promise<number>
}

function scanCounter(ch: ClickHouse): ScanCounter {
  const recorded = recordQueries(ch)
  return {
    start() {
      recorded.take()
    },
    rows: () => rowsScanned(ch, recorded.query, recorded.take()),
  }
}

async function rowsScanned(
  ch: ClickHouse,
  query: ClickHouse['readonly']['query'],
  queries: Queried[],
): Promise<number> {
  let rows = 0
  for (const q of queries) {
    const rs = await query({
      query: `EXPLAIN ESTIMATE ${q.query}`,
      query_params: q.query_params,
      format: 'JSONEachRow',
      clickhouse_settings: ch.readonlySettings,
    })
    for (const r of (await rs.json()) as Array<{ rows: string | number }>) rows += Number(r.rows)
  }
  return rows
}

async function time(
  name: string,
  runs: number,
  fn: () => Promise<string | undefined>,
  scans?: ScanCounter,
): Promise<QueryFigure> {
  const ms: number[] = []
  let note: string | undefined
  const w = performance.now()
  scans?.start()
  await fn() // warm-up: caches and JIT, not counted
  const rows = await scans?.rows()
  log(`${name}: warm-up ${(performance.now() - w).toFixed(0)} ms`)
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    note = await fn()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return {
    name,
    runs,
    medianMs: ms[Math.floor(ms.length / 2)] as number,
    minMs: ms[0] as number,
    maxMs: ms[ms.length - 1] as number,
    ...(rows !== undefined ? { rowsScanned: rows } : {}),
    ...(note ? { note } : {}),
  }
}

/** Migrates and fills `ch` with the queries' synthetic events, merged; returns the milliseconds it took. */
export async function generateBenchEvents(ch: ClickHouse, events: number): Promise<number> {
  await migrate(ch)
  const t0 = performance.now()
  await generateSynthetic(ch, { project: PROJECT, events, from: new Date(`${FROM}T00:00:00Z`), days: 30 })
  await ch.client.command({ query: `OPTIMIZE TABLE ${TABLES.events} FINAL` })
  const generateMs = performance.now() - t0
  log(`generated ${events} events in ${(generateMs / 1000).toFixed(1)} s`)
  return generateMs
}

/** Analytics on synthetic events in the embedded engine (chDB in this process). */
export async function benchQueries(events: number, runs = 5): Promise<QueryBench> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-queries-'))
  const ch = await createClickHouse({ dataDir: dir })
  try {
    const generateMs = await generateBenchEvents(ch, events)
    const scans = scanCounter(ch)
    const analytics = new Analytics(ch)
    const range = { project: PROJECT, from: FROM, to: TO }
    // each query, and the note its answer gives: the same figures every run, so a changed answer shows
    const queries: Array<[string, () => Promise<string>]> = [
      [
        'funnel, 4 steps, ordered',
        async () => {
          const r = await analytics.funnel({ ...range, steps: STEPS, window: '7d' })
          return `people ${r.steps.map((s) => s.people).join(' → ')}`
        },
      ],
      [
        'funnel, 4 steps, breakdown by channel',
        async () => {
          const r = await analytics.funnel({ ...range, steps: STEPS, window: '7d', breakdown: 'channel' })
          return `${r.breakdown?.length} values`
        },
      ],
      [
        'funnel, 4 steps, by the day people entered',
        async () => {
          const r = await analytics.funnel({ ...range, steps: STEPS, window: '7d', interval: 'day' })
          const entered = r.periods?.reduce((sum, p) => sum + (p.steps[0]?.people ?? 0), 0)
          return `${r.periods?.length} days, ${entered} entered`
        },
      ],
      [
        'funnel people, dropped out at step 2',
        async () => {
          const r = await analytics.funnelPeople({
            ...range,
            steps: STEPS,
            window: '7d',
            outcome: 'dropped',
            step: 2,
          })
          return `${r.total} people, ${r.people.length} listed`
        },
      ],
      [
        'attribution, all 7 models',
        async () => {
          const r = await analytics.attribution({
            ...range,
            conversion: { event: 'Order Completed' },
            model: 'all',
          })
          return `${r.conversions} conversions`
        },
      ],
      [
        'acquisition by channel, 90-day value',
        async () => {
          const r = await analytics.acquisition(range)
          return `${r.total.people} people, ${r.total.customers} customers`
        },
      ],
      [
        'paths after the pricing page, 3 steps',
        async () => {
          const r = await analytics.paths({ ...range, start: STEPS[0]! })
          return `${r.people} people, ${r.paths.length} paths listed`
        },
      ],
      [
        'traffic by channel',
        async () => {
          const r = await analytics.traffic(range)
          return `${r.total.sessions} sessions, ${r.rows.length} channels`
        },
      ],
      [
        'overview (traffic by channel and country, pages)',
        async () => {
          const r = await analytics.overview(range)
          return `${r.sessions} sessions, ${r.countries.length} countries, ${r.pages.length} pages listed`
        },
      ],
      [
        'pages',
        async () => {
          const r = await analytics.pages(range)
          return `${r.total.views} page views, ${r.total.paths} paths`
        },
      ],
      [
        'retention by week',
        async () => {
          const r = await analytics.retention(range)
          return `${r.cohorts.reduce((sum, c) => sum + c.people, 0)} people in ${r.cohorts.length} cohorts`
        },
      ],
      [
        'event names',
        async () => {
          const r = await analytics.events(range)
          return `${r.total.names} names, ${r.total.events} events`
        },
      ],
      [
        'customer profile',
        async () => {
          const p = await analytics.profile({ project: PROJECT, person: 'u12345' })
          return `${p?.events ?? 0} events`
        },
      ],
    ]
    const figures: QueryFigure[] = []
    for (const [name, fn] of queries) figures.push(await time(name, runs, fn, scans))
    return { events, generateMs, figures }
  } finally {
    await ch.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
