import { loadIngesterConfig, startIngester } from '@touchpoint/ingester'

/** `touchpoint ingest`: the Kafka → ClickHouse ingester, until SIGTERM/SIGINT (it finishes the batch in hand). */
export async function ingest(): Promise<void> {
  const ingester = await startIngester(loadIngesterConfig())
  process.stdout.write(`Touchpoint ingester running; /healthz and /metrics on ${ingester.url}\n`)
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
