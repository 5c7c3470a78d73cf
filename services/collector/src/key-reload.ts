import { unwatchFile, watchFile } from 'node:fs'
import type { FastifyBaseLogger } from 'fastify'
import { type CollectorConfig, reloadKeys } from './config'
import type { ProjectRegistry } from './projects'

/** How often the projects file's modification time is checked. */
const POLL_MS = 1000

/**
 * Keeps the registry in step with the projects file: on SIGHUP, and whenever the file changes (polled, so an
 * atomic rename, an editor's save or a mounted ConfigMap's update are all seen). A key is rotated by adding
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
  const path = config.projectsSource.path
  const onChange = (now: { mtimeMs: number }, before: { mtimeMs: number }) => {
    if (now.mtimeMs !== before.mtimeMs) reload('file changed')
  }
  const onHup = () => reload('SIGHUP')
  watchFile(path, { interval: POLL_MS, persistent: false }, onChange)
  process.on('SIGHUP', onHup)
  return () => {
    unwatchFile(path, onChange)
    process.off('SIGHUP', onHup)
  }
}
