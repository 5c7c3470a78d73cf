import { type CollectorConfig, type ProjectConfig, reloadKeys } from '../../services/collector/src/config'
import { emailDemo } from './email-demo'
import { type RunningSite, serveSite } from './server'

export interface DevShop {
  site: RunningSite
  /** the shop's address, e.g. http://localhost:8081 */
  url: string
  project: string
  /** whether /email serves the spring-sale email (the project has email keys and a secret key) */
  email: boolean
}

/**
 * `pnpm start`'s example shop for the first project of the collector's projects file: its pages with that
 * project's tag, and its spring-sale email at /email. Each page takes the project's keys as the file has them when
 * it is served, so that `touchpoint keys rotate` and `retire` reach the shop as they reach the collector, without
 * a restart (the tag kept the key of the start before, which the collector refused once it was retired).
 */
export async function startDevShop(
  config: CollectorConfig,
  options: { collector: string; port: number },
): Promise<DevShop | undefined> {
  let known: ProjectConfig | undefined = config.keys.projects[0]
  if (!known) return undefined
  const current = (): ProjectConfig => {
    try {
      known = reloadKeys(config).projects.find((p) => p.id === known!.id) ?? known
    } catch {
      // a file that does not validate: the collector keeps the keys in use, and so does the shop
    }
    return known!
  }
  const email = emailDemo({ collector: options.collector, project: current })
  const site = await serveSite({
    port: options.port,
    host: config.host,
    collector: options.collector,
    writeKey: () => current().writeKey,
    ...(email && { pages: { '/email': email } }),
  })
  return {
    site,
    url: site.url.replace('0.0.0.0', 'localhost'),
    project: known.id,
    email: email !== undefined,
  }
}
