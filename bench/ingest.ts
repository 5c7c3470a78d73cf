import { CollectorProcess, freePort, keysIn, tempDir } from '../test/helpers/collector'
import { eventually, sql } from '../test/helpers/http'
import { metricValue } from '../test/helpers/load'
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
} from './load'
import { type LoaderFigure, loaderFigure } from './loader-metrics'

export interface IngestBench {
  seconds: number
  connections: number
  figures: LoadFigure[]
  ratios: { single: number; batch: number; pixel: number; redirect: number }
  /** single-event requests at 80% of the collector's peak rate */
  at80: LoadFigure
  /** events stored: at least every acknowledged one, at most every one sent (in flight at a run's end) */
  stored: { acknowledged: number; sent: number; found: number }
  collectorPeakRssMiB: number
  loader: LoaderFigure
  freshness: Freshness
}

const log = (line: string) => process.stderr.write(`  ${line}\n`)

/**
 * Collector ingest against a bare Fastify route, each a process of its own driven by autocannon from this one:
 * single events, 50-event batches, the email pixel, and single events at 80% of the measured peak.
 */
export async function benchIngest(seconds: number, connections: number): Promise<IngestBench> {
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

    // every run starts with the collector's loader idle: no run, the bare route's included, shares the cores
    // with the previous run's backlog
    const idle = () =>
      eventually(
        () => metricValue(collector.url, 'touchpoint_spool_queued_bytes'),
        (b) => b === 0,
        600_000,
      )
    const single = await load('collector, single event', post(`${collector.url}/v1/track`, event), 1)
    await idle()
    const bareSingle = await load('bare route, single event', post(`${bare.url}/v1/track`, event), 1)
    await idle()
    const batch = await load('collector, 50-event batch', post(`${collector.url}/v1/batch`, batch50), 50)
    await idle()
    const bareBatch = await load('bare route, 50-event batch', post(`${bare.url}/v1/batch`, batch50), 50)
    await idle()
    const gif = await load('collector, email pixel', { ...base, url: pixel }, 1)
    await idle()
    const bareGif = await load('bare route, same GIF', { ...base, url: `${bare.url}/gif/x` }, 1)
    await idle()
    const redirect = await load('collector, click redirect', { ...base, url: click }, 1, '3xx')
    await idle()
    const bareRedirect = await load('bare route, same 302', { ...base, url: `${bare.url}/r/x` }, 1, '3xx')
    await idle()
    const rate = Math.round(single.requestsPerSecond * 0.8)
    const at80 = await load(
      `collector, single event at ${rate} req/s (80%)`,
      {
        ...post(`${collector.url}/v1/track`, event),
        overallRate: rate,
      },
      1,
    )

    const expected = single.ok + batch.ok * 50 + at80.ok
    const sent = single.sent + batch.sent * 50 + at80.sent
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
    const strip = ({ ok: _ok, sent: _sent, ...f }: LoadFigure & { ok: number; sent: number }) => f
    return {
      seconds,
      connections,
      figures: [single, bareSingle, batch, bareBatch, gif, bareGif, redirect, bareRedirect].map(strip),
      ratios: {
        single: single.requestsPerSecond / bareSingle.requestsPerSecond,
        batch: batch.eventsPerSecond / bareBatch.eventsPerSecond,
        pixel: gif.requestsPerSecond / bareGif.requestsPerSecond,
        redirect: redirect.requestsPerSecond / bareRedirect.requestsPerSecond,
      },
      at80: strip(at80),
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
