import { CollectorProcess, freePort, keysIn, tempDir } from '../test/helpers/collector'
import { eventually, sql } from '../test/helpers/http'
import { spoolDrained } from '../test/helpers/load'
import { bySql, type Freshness, measureFreshness } from './freshness'
import {
  BENCH_ENV,
  batch50,
  benchEmail,
  event,
  type LoadFigure,
  load,
  postRun,
  rssMiB,
  startBareServer,
  steady,
} from './load'
import { type LoaderFigure, loaderFigure } from './loader-metrics'
import { coresQuiet } from './machine'
import { median } from './stats'

/** The rate of the run at 80% of the collector's peak: asked of the open-loop driver here, and named in the report. */
export const at80Rate = (peakPerSecond: number) => Math.round(peakPerSecond * 0.8)

type Kind = 'single' | 'batch' | 'pixel' | 'redirect'
type Ratios = Record<Kind, number>

export interface IngestBench {
  seconds: number
  connections: number
  /** rounds of every kind, the collector and the bare route in turn */
  rounds: number
  /** each run's median over the rounds, by the figure its ratio compares */
  figures: LoadFigure[]
  /** the median over the rounds of each round's ratio */
  ratios: Ratios
  /** each round's ratio, in the order run */
  ratiosByRound: Record<Kind, number[]>
  /** the share of the cores the hypervisor took during each round's runs (Linux), collector's and bare route's */
  stealByRound?: Record<Kind, Array<[number | undefined, number | undefined]>>
  /**
   * single-event requests at 80% of the collector's peak rate, open-loop (latency from each one's scheduled time):
   * the round with the median p99
   */
  at80: LoadFigure
  /** each round's p99 of that run, in the order run */
  at80P99ByRound?: number[]
  /**
   * how long after each of the collector's runs its spool was empty, by round: the loading the run left for
   * later. The loader lets a batch fill for LOADER_FLUSH_MS (1 s) first, so a loader that kept up leaves about that
   */
  loadedAfterMsByRound?: Record<Kind | 'at80', number[]>
  /** events stored: at least every acknowledged one, at most every one sent (in flight at a run's end) */
  stored: { acknowledged: number; sent: number; found: number }
  collectorPeakRssMiB: number
  loader: LoaderFigure
  freshness: Freshness
}

type Run = LoadFigure & { ok: number; sent: number }

/** One kind of request, sent to the collector and to the bare route, and what their ratio compares. */
interface Pair {
  kind: Kind
  collector: () => Promise<Run>
  bare: () => Promise<Run>
  by: 'requestsPerSecond' | 'eventsPerSecond'
  /**
   * 'Bench Event' rows each answered collector request stores, which the count checks; 0 for the pixel and the
   * redirect, whose email events it does not count
   */
  events: number
}

const log = (line: string) => process.stderr.write(`  ${line}\n`)

/**
 * Collector ingest against a bare Fastify route, each a process of its own driven by autocannon from this one:
 * single events, 50-event batches, the email pixel and the click redirect; then single events at 80% of the
 * measured peak from an open-loop driver (bench/steady-load.ts), since autocannon's fixed rate comes in bursts.
 *
 * The VM's speed drifts by up to 30% within minutes, so one run of each side gives a ratio that moves as much.
 * Each kind therefore runs `rounds` times, the collector and the bare route back to back (which goes first
 * alternates between rounds), and the ratio reported is the median of the rounds' ratios.
 */
export async function benchIngest(
  seconds: number,
  connections: number,
  rounds: number,
): Promise<IngestBench> {
  const dir = tempDir('tp-bench-ingest-')
  const collector = new CollectorProcess(dir, await freePort(), BENCH_ENV)
  await collector.start()
  const bare = await startBareServer()
  try {
    const keys = keysIn(dir)
    const base = { duration: seconds, connections }
    const post = (url: string, body: unknown) => postRun(url, keys.writeKey, body, { seconds, connections })
    const { tracker, message } = benchEmail(dir, collector.url)
    const pixel = tracker.pixelUrl(message)
    const click = tracker.linkUrl('https://shop.example/sale', message)

    // every run starts with the collector's loader idle and ClickHouse's merges done: no run, the bare route's
    // included, shares the cores with the previous run's backlog
    const loadedAfter = { single: [], batch: [], pixel: [], redirect: [], at80: [] } as Record<
      Kind | 'at80',
      number[]
    >
    const idle = async (): Promise<number> => {
      const end = performance.now()
      await spoolDrained(collector.url, 600_000)
      const drained = Math.round(performance.now() - end)
      const waited = await coresQuiet()
      if (waited > 2_000) log(`cores quiet ${(waited / 1000).toFixed(1)} s after the spool drained`)
      return drained
    }
    const pairs: Pair[] = [
      {
        kind: 'single',
        collector: () => load('collector, single event', post(`${collector.url}/v1/track`, event), 1),
        bare: () => load('bare route, single event', post(`${bare.url}/v1/track`, event), 1),
        by: 'requestsPerSecond',
        events: 1,
      },
      {
        kind: 'batch',
        collector: () => load('collector, 50-event batch', post(`${collector.url}/v1/batch`, batch50), 50),
        bare: () => load('bare route, 50-event batch', post(`${bare.url}/v1/batch`, batch50), 50),
        by: 'eventsPerSecond',
        events: 50,
      },
      {
        kind: 'pixel',
        collector: () => load('collector, email pixel', { ...base, url: pixel }, 1),
        bare: () => load('bare route, same GIF', { ...base, url: `${bare.url}/gif/x` }, 1),
        by: 'requestsPerSecond',
        events: 0,
      },
      {
        kind: 'redirect',
        collector: () => load('collector, click redirect', { ...base, url: click }, 1, '3xx'),
        bare: () => load('bare route, same 302', { ...base, url: `${bare.url}/r/x` }, 1, '3xx'),
        by: 'requestsPerSecond',
        events: 0,
      },
    ]
    const runs = new Map<Kind, { collector: Run[]; bare: Run[] }>(
      pairs.map((p) => [p.kind, { collector: [], bare: [] }]),
    )
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1} of ${rounds}`)
      for (const pair of pairs) {
        const sides = runs.get(pair.kind)!
        const order = round % 2 === 0 ? (['collector', 'bare'] as const) : (['bare', 'collector'] as const)
        for (const side of order) {
          sides[side].push(await pair[side]())
          const drained = await idle()
          if (side === 'collector') loadedAfter[pair.kind].push(drained)
        }
      }
    }
    const medianRun = (xs: Run[], by: Pair['by'] | 'p99Ms'): Run => {
      const m = median(xs.map((x) => x[by]))
      return xs.find((x) => x[by] === m)!
    }
    const figures: Run[] = []
    const ratios = {} as Ratios
    const ratiosByRound = {} as Record<Kind, number[]>
    const stealByRound = {} as NonNullable<IngestBench['stealByRound']>
    for (const pair of pairs) {
      const { collector: c, bare: b } = runs.get(pair.kind)!
      figures.push(medianRun(c, pair.by), medianRun(b, pair.by))
      ratiosByRound[pair.kind] = c.map((run, i) => run[pair.by] / b[i]![pair.by])
      stealByRound[pair.kind] = c.map((run, i) => [run.stealPct, b[i]!.stealPct])
      ratios[pair.kind] = median(ratiosByRound[pair.kind])
    }
    const single = figures[0]!
    const rate = at80Rate(single.requestsPerSecond)
    // an open-loop run has no slack for a slower spell of the VM, so it runs once a round, like the rest
    const at80Runs: Run[] = []
    for (let round = 0; round < rounds; round++) {
      at80Runs.push(
        await steady(
          `collector, single event at ${rate} req/s (80%)`,
          post(`${collector.url}/v1/track`, event),
          rate,
        ),
      )
      loadedAfter.at80.push(await idle())
    }
    const at80 = medianRun(at80Runs, 'p99Ms')

    const stored = (side: (r: Run) => number) =>
      pairs.reduce(
        (sum, p) => sum + runs.get(p.kind)!.collector.reduce((s, r) => s + side(r) * p.events, 0),
        0,
      )
    const expected = stored((r) => r.ok) + at80Runs.reduce((sum, r) => sum + r.ok, 0)
    const sent = stored((r) => r.sent) + at80Runs.reduce((sum, r) => sum + r.sent, 0)
    const [row] = await eventually(
      () =>
        sql<{ n: number }>(
          collector.url,
          keys.adminKey,
          `SELECT count() AS n FROM events WHERE event = 'Bench Event'`,
        ),
      (r) => Number(r[0]?.n) >= expected,
      300_000,
    ).catch(async () =>
      sql<{ n: number }>(
        collector.url,
        keys.adminKey,
        `SELECT count() AS n FROM events WHERE event = 'Bench Event'`,
      ),
    )
    const loader = await loaderFigure(collector.url, 'collector')
    log(`loader: ${loader.rowsPerSecond} rows/s of insert time, mean batch ${loader.meanBatchRows} rows`)
    const freshness = await measureFreshness(
      collector.url,
      keys.writeKey,
      bySql(collector.url, keys.adminKey),
      seconds,
    )
    log(`freshness: p50 ${freshness.p50Ms} ms, p95 ${freshness.p95Ms} ms`)
    const strip = ({ ok: _ok, sent: _sent, ...f }: Run) => f
    return {
      seconds,
      connections,
      rounds,
      figures: figures.map(strip),
      ratios,
      ratiosByRound,
      stealByRound,
      at80: strip(at80),
      at80P99ByRound: at80Runs.map((r) => r.p99Ms),
      loadedAfterMsByRound: loadedAfter,
      stored: { acknowledged: expected, sent, found: Number(row?.n) },
      collectorPeakRssMiB: rssMiB(collector.child!.pid!),
      loader,
      freshness,
    }
  } finally {
    bare.child.kill('SIGKILL')
    await collector.stop('SIGTERM')
  }
}
