import type { FastifyBaseLogger } from 'fastify'
import { type CollectorConfig, reloadKeys } from './config'
import type { ProjectRegistry } from './projects'
import { watchVersions } from './util/file-versions'

/** How often the projects file is looked at. */
const POLL_MS = 1000

/**
 * Keeps the registry in step with the projects file: on SIGHUP, and whenever the file changes (polled: watchVersions,
 * which also sees a change made between reading the file at start and watching it). A key is rotated by adding
 * the new one beside the old (`touchpoint keys rotate`), moving senders over, then retiring the old: no
 * restart, no request refused. A file that does not validate is logged, naming the field, and the keys in
 * use stay. Returns the function that stops watching.
 */
export function watchKeys(
  config: CollectorConfig,
  registry: ProjectRegistry,
  logger: FastifyBaseLogger,
): () => void {
  const reload = (why: string) => {
    try {
      const keys = reloadKeys(config)
      registry.replace(keys)
      logger.info({ why, projects: keys.projects.length }, 'projects and keys reloaded')
    } catch (err) {
      logger.error(
        { why, err: (err as Error).message },
        'projects file not reloaded; keeping the keys in use',
      )
    }
  }
  const { path, version } = config.projectsSource
  const unwatch = watchVersions(path, version, { pollMs: POLL_MS, settleMs: 0 }, () => reload('file changed'))
  const onHup = () => reload('SIGHUP')
  process.on('SIGHUP', onHup)
  return () => {
    unwatch()
    process.off('SIGHUP', onHup)
  }
}
