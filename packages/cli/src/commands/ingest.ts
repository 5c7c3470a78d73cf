import { loadIngesterConfig, startIngester } from '@touchpoint/ingester'
import { describeSecurity } from '@touchpoint/kafka'

/** `touchpoint ingest`: the Kafka → ClickHouse ingester, until SIGTERM/SIGINT (it finishes the batch in hand). */
export async function ingest(): Promise<void> {
  const config = loadIngesterConfig()
  const ingester = await startIngester(config)
  const url = ingester.url.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost')
  const { brokers, topic } = config.kafka
  const lines = [
    `Touchpoint ingester running; /healthz and /metrics on ${url}`,
    `Reading ${topic} from Kafka at ${brokers.join(',')} (${describeSecurity(config.kafka)})`,
  ]
  if (config.queryApi)
    lines.push(
      `The admin API over what it loads (/api/sql, the reports) is on ${url} too, with the admin key of`,
      `${config.queryApi.projectsSource.path}: TOUCHPOINT_URL=${url} touchpoint report overview`,
    )
  else if (!config.clickhouse.url)
    lines.push(
      'Its embedded ClickHouse takes no other reader: to read what it loads, start it with TOUCHPOINT_CONFIG set to',
      "the collector's projects file, and it answers the admin API (/api/sql, the reports) on its port",
    )
  process.stdout.write(`${lines.join('\n')}\n`)
  const stop = () => {
    ingester.close().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`shutdown failed: ${err.message}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
