import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../services/collector/src/logger'
import { Metrics } from '../services/collector/src/metrics'
import { KafkaSink } from '../services/collector/src/pipeline/kafka'
import { IngesterMetrics } from '../services/ingester/src/metrics'
import { ROOT } from './helpers/collector'
import { sinkOptionsWithoutBroker } from './helpers/kafka'

const RULES = join(ROOT, 'examples/prometheus/alerts.yml')

/** The metric names a /metrics text serves. */
const served = (text: string) =>
  new Set(text.split('\n').flatMap((l) => (l.startsWith('# TYPE ') ? [l.split(' ')[2]!] : [])))

/**
 * The example alerting rules name only metrics the services serve: a renamed metric would leave an alert that can
 * never fire. The collector's metrics are read from a real Kafka sink (with no broker at its address: it starts and
 * spools) and the collector's own registry, whose spool gauges the embedded sink registers too; the ingester's from
 * its registry.
 */
describe('examples/prometheus/alerts.yml', () => {
  it('names only metrics the collector or the ingester serves, each alert with a severity and a summary', async () => {
    const metrics = new Metrics()
    const sink = await KafkaSink.start(
      await sinkOptionsWithoutBroker('alert-rules-test'),
      metrics,
      createLogger('silent'),
    )
    let names: Set<string>
    try {
      names = new Set([...served(metrics.render()), ...served(new IngesterMetrics().render())])
    } finally {
      await sink.close()
    }
    expect(names.has('touchpoint_spool_max_bytes')).toBe(true)

    const text = readFileSync(RULES, 'utf8')
    const exprs = [...text.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!)
    const alerts = [...text.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]!)
    expect(alerts.length).toBeGreaterThan(8)
    expect(exprs).toHaveLength(alerts.length)
    const named = new Set(exprs.flatMap((e) => e.match(/\btouchpoint_[a-z_]+/g) ?? []))
    expect([...named].filter((n) => !names.has(n))).toEqual([])
    expect([...text.matchAll(/severity: (critical|warning) \}/g)]).toHaveLength(alerts.length)
    expect([...text.matchAll(/^\s+summary: "/gm)]).toHaveLength(alerts.length)
  })
})
