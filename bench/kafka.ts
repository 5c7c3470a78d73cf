import { CollectorProcess, freePort, keysIn, ServiceProcess, tempDir } from '../test/helpers/collector'
import { eventually } from '../test/helpers/http'
import { Broker } from '../test/helpers/kafka'
import { metricValue } from '../test/helpers/load'
import { byLoadedCount, type Freshness, measureFreshness } from './freshness'
import { BENCH_ENV, batch50, event, type LoadFigure, load, postRun, rssMiB } from './load'
import { type LoaderFigure, loaderFigure } from './loader-metrics'

export interface KafkaBench {
  seconds: number
  connections: number
  figures: LoadFigure[]
  loader: LoaderFigure
  freshness: Freshness
  /** events the ingester loaded: at least every acknowledged one, at most every one sent */
  stored: { acknowledged: number; sent: number; found: number }
  collectorPeakRssMiB: number
  ingesterPeakRssMiB: number
}

const log = (line: string) => process.stderr.write(`  ${line}\n`)

/**
 * The same ingest through a real Kafka broker (scripts/kafka.sh, 3 partitions): the collector answers once Kafka
 * has the records, and the ingester loads them into its own embedded ClickHouse.
 */
export async function benchKafka(seconds: number, connections: number): Promise<KafkaBench> {
  const broker = await Broker.create()
  await broker.start()
  const env = { KAFKA_BROKERS: broker.address, KAFKA_PARTITIONS: '3' }
  const ingester = new ServiceProcess('ingest', tempDir('tp-bench-ingester-'), await freePort(), env)
  const dir = tempDir('tp-bench-kafka-')
  const collector = new CollectorProcess(dir, await freePort(), { ...env, ...BENCH_ENV })
  try {
    await ingester.start()
    await collector.start()
    const keys = keysIn(dir)
    const post = (path: string, body: unknown) =>
      postRun(`${collector.url}${path}`, keys.writeKey, body, { seconds, connections })
    const single = await load('collector → Kafka, single event', post('/v1/track', event), 1)
    const batch = await load('collector → Kafka, 50-event batch', post('/v1/batch', batch50), 50)
    const acknowledged = single.ok + batch.ok * 50
    const sent = single.sent + batch.sent * 50
    const loaded = () => metricValue(ingester.url, 'touchpoint_ingester_rows_loaded_total{table="events"}')
    const found = await eventually(loaded, (n) => n >= acknowledged, 600_000).catch(loaded)
    const loader = await loaderFigure(ingester.url, 'ingester')
    log(`ingester: ${loader.rowsPerSecond} rows/s of insert time, mean batch ${loader.meanBatchRows} rows`)
    // the ingester also loads the probe's events, so the load figure is taken first
    const freshness = await measureFreshness(
      collector.url,
      keys.writeKey,
      await byLoadedCount(ingester.url),
      seconds,
    )
    log(`freshness through Kafka: p50 ${freshness.p50Ms} ms, p95 ${freshness.p95Ms} ms`)
    const strip = ({ ok: _o, sent: _s, ...f }: LoadFigure & { ok: number; sent: number }) => f
    return {
      seconds,
      connections,
      figures: [single, batch].map(strip),
      loader,
      freshness,
      stored: { acknowledged, sent, found },
      collectorPeakRssMiB: rssMiB(collector.child!.pid!),
      ingesterPeakRssMiB: rssMiB(ingester.child!.pid!),
    }
  } finally {
    await collector.stop('SIGTERM')
    await ingester.stop('SIGTERM')
    await broker.stop()
  }
}
