import { type CollectorConfig, loadConfig, startCollector } from '@touchpoint/collector'
import { describeSecurity } from '@touchpoint/kafka'

function banner(config: CollectorConfig, url: string): string {
  const base = url.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost')
  const storage = config.kafka
    ? `Kafka at ${config.kafka.brokers.join(',')} (${describeSecurity(config.kafka)}; topic ${config.kafka.topic}), loaded into ClickHouse by touchpoint ingest${
        config.clickhouse.url ? `; reads from ClickHouse at ${config.clickhouse.url}` : ''
      }`
    : config.clickhouse.url
      ? `ClickHouse at ${config.clickhouse.url}`
      : `embedded ClickHouse (chDB) in ${config.dataDir}/clickhouse`
  // a Kafka-mode collector without CLICKHOUSE_URL reads nothing: the ingester that loads the events answers reads
  const reads = !config.kafka || config.clickhouse.url
  const lines = [
    `Touchpoint collector listening on ${base}`,
    `Storage: ${storage}`,
    `Projects: ${config.projectsSource.path}`,
  ]
  if (config.projectsSource.created) {
    const p = config.keys.projects[0]!
    lines.push(
      '',
      `Created a development project "${p.id}" with fresh keys (kept in ${config.projectsSource.path}):`,
      `  write key:  ${p.writeKey}`,
      `  secret key: ${p.secretKey}`,
      `  admin key:  ${config.keys.adminKeys[0]}`,
      '',
      'Send an event:',
      `  curl -u '${p.writeKey}:' -H 'Content-Type: application/json' ${base}/v1/track \\`,
      `    -d '{"event":"Signed Up","anonymousId":"a1","properties":{"plan":"pro"}}'`,
      reads
        ? 'Read it back:'
        : 'Read it back from the ingester (started with TOUCHPOINT_CONFIG=<this projects file>):',
      `  curl -H 'Authorization: Bearer ${config.keys.adminKeys[0]}' -H 'Content-Type: application/json' ${reads ? base : '<the ingester>'}/api/sql \\`,
      `    -d '{"query":"SELECT event, channel, timestamp FROM events ORDER BY timestamp DESC LIMIT 5"}'`,
    )
  }
  return lines.join('\n')
}

/** `touchpoint start`: the embedded stack (collector, spool, loader, chDB) in this process until SIGTERM/SIGINT. */
export async function start(): Promise<{ config: CollectorConfig; url: string }> {
  const config = loadConfig()
  const collector = await startCollector(config)
  process.stdout.write(`${banner(config, collector.url)}\n`)
  const stop = (signal: string) => {
    process.stdout.write(`${signal}: draining and stopping…\n`)
    collector.close().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`shutdown failed: ${err.message}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  return { config, url: collector.url }
}
