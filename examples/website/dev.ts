/**
 * `pnpm start`: the embedded stack (as `touchpoint start`) and, beside it, the example shop with the tag of the
 * dev project, on EXAMPLE_SITE_PORT (default 8081; 0 turns it off).
 */
import { start } from '../../packages/cli/src/commands/start'
import { serveSite } from './server'

const { config, url } = await start()
const sitePort = Number(process.env.EXAMPLE_SITE_PORT ?? 8081)
const project = config.keys.projects[0]
// a Kafka-mode collector without CLICKHOUSE_URL reads nothing: the reports come from the ingester's admin API
const ask = config.kafka && !config.clickhouse.url ? 'TOUCHPOINT_URL=<the ingester> ' : ''
if (sitePort > 0 && project) {
  const collector = url.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost')
  try {
    const site = await serveSite({ port: sitePort, host: config.host, collector, writeKey: project.writeKey })
    process.stdout.write(
      `\nExample shop (project "${project.id}"): ${site.url.replace('0.0.0.0', 'localhost')}\n` +
        `Browse it, then: ${ask}pnpm touchpoint report live (who is on it now), ${ask}pnpm touchpoint report overview\n`,
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
