import { afterEach } from 'vitest'
import { CollectorProcess, freePort, keysIn, ServiceProcess, tempDir } from './collector'
import { Broker } from './kafka'
import { LoadGenerator } from './load'

export interface KafkaStack {
  /** the first of `brokers` */
  broker: Broker
  brokers: Broker[]
  ingester: ServiceProcess
  ingesterDir: string
  collector: CollectorProcess
  load: LoadGenerator
}

/**
 * The distributed deployment as real processes, for the fault, soak and cluster tests: a broker (3 partitions), an
 * ingester and a collector producing to it, and a steady load already running. The group notices a killed
 * ingester after 6 s and a stuck consumer is restarted after 15 s, so faults play out within a test's time.
 * The load comes from one address, far past its rate limit, so that limit is off: every refusal should be a
 * fault's doing. `env` adds to both services' environment.
 */
export async function startKafkaStack(
  name: string,
  load: { concurrency: number; pauseMs: number; prefix: string; event?: string },
  env: Record<string, string> = {},
  /** the brokers, started here: one of its own by default, or a cluster (Broker.cluster) */
  brokers?: Broker[],
): Promise<KafkaStack> {
  brokers ??= [await Broker.create()]
  await Broker.startAll(brokers)
  const serviceEnv = {
    KAFKA_BROKERS: brokers.map((b) => b.address).join(','),
    KAFKA_PARTITIONS: '3',
    INGEST_SESSION_TIMEOUT_MS: '6000',
    INGEST_STALL_MS: '15000',
    RATE_LIMIT_PER_IP: '0',
    ...env,
  }
  const ingesterDir = tempDir(`tp-${name}-ingester-`)
  const ingester = new ServiceProcess('ingest', ingesterDir, await freePort(), serviceEnv)
  await ingester.start()
  const collectorDir = tempDir(`tp-${name}-collector-`)
  const collector = new CollectorProcess(collectorDir, await freePort(), serviceEnv)
  await collector.start()
  const generator = new LoadGenerator(() => collector.url, keysIn(collectorDir).writeKey, load.prefix, {
    concurrency: load.concurrency,
    pauseMs: load.pauseMs,
    ...(load.event ? { name: load.event } : {}),
  }).start()
  return { broker: brokers[0]!, brokers, ingester, ingesterDir, collector, load: generator }
}

/** Stops what startKafkaStack started, whatever state a failed test left it in. */
export async function stopKafkaStack(stack: KafkaStack | undefined): Promise<void> {
  await stack?.load.stop()
  await stack?.collector.stop('SIGKILL')
  await stack?.ingester.stop('SIGKILL')
  await Promise.all((stack?.brokers ?? []).map((b) => b.stop()))
}

/** After each failed test of a file, what its stack's services said: the last lines of their logs. */
export function printLogsOnFailure(stack: () => KafkaStack | undefined): void {
  afterEach((ctx) => {
    const s = stack()
    if (s && ctx.task.result?.state === 'fail')
      console.log(`collector log:\n${s.collector.logTail()}\ningester log:\n${s.ingester.logTail()}`)
  })
}
