/**
 * `pnpm start`: the embedded stack (as `touchpoint start`) and, beside it, the example shop with the tag of the
 * dev project, on EXAMPLE_SITE_PORT (default 8081; 0 turns it off).
 */
import { start } from '../../packages/cli/src/commands/start'
import { serveSite } from './server'

const { config, url } = await start()
const sitePort = Number(process.env.EXAMPLE_SITE_PORT ?? 8081)
const project = config.keys.projects[0]
if (sitePort > 0 && project) {
  const collector = url.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost')
  const site = await serveSite({ port: sitePort, host: config.host, collector, writeKey: project.writeKey })
  process.stdout.write(
    `\nExample shop (project "${project.id}"): ${site.url.replace('0.0.0.0', 'localhost')}\n` +
      'Browse it, then: pnpm touchpoint report live (who is on it now), pnpm touchpoint report overview\n',
  )
}
