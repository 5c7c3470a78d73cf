/**
 * `pnpm start`: the embedded stack (as `touchpoint start`) and, beside it, the example shop with the tag of the
 * dev project, on EXAMPLE_SITE_PORT (default 8081; 0 turns it off), with its spring-sale email at /email.
 */
import { start } from '../../packages/cli/src/commands/start'
import { startDevShop } from './dev-shop'
import { DEMO_RECIPIENT } from './email-demo'

const { config, url } = await start().catch((err: Error) => {
  // one line, as `touchpoint start` says it (a port in use, a bad variable), not a stack trace
  process.stderr.write(`touchpoint: ${err.message}\n`)
  return process.exit(1)
})
const sitePort = Number(process.env.EXAMPLE_SITE_PORT ?? 8081)
// a Kafka-mode collector without CLICKHOUSE_URL reads nothing: the reports come from the ingester's admin API
const ask = config.kafka && !config.clickhouse.url ? 'TOUCHPOINT_URL=<the ingester> ' : ''
if (sitePort > 0) {
  const collector = url.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost')
  try {
    const shop = await startDevShop(config, { collector, port: sitePort })
    if (shop)
      process.stdout.write(
        `\nExample shop (project "${shop.project}"): ${shop.url}\n` +
          `Browse it, then: ${ask}pnpm touchpoint report live (who is on it now), ${ask}pnpm touchpoint report overview\n` +
          (shop.email
            ? `Its spring-sale email to ${DEMO_RECIPIENT}, as their mail app shows it: ${shop.url}/email\n` +
              `Open it and click through, then: ${ask}pnpm touchpoint report email, ${ask}pnpm touchpoint profile ${DEMO_RECIPIENT}\n`
            : ''),
      )
  } catch (err) {
    // the shop is an extra: the collector goes on without it
    const busy = (err as { code?: string }).code === 'EADDRINUSE'
    process.stdout.write(
      `\nExample shop not started: ${busy ? `port ${sitePort} is in use` : (err as Error).message}` +
        ' (EXAMPLE_SITE_PORT sets another, 0 none)\n',
    )
  }
}
