import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../services/collector/src/config'
import { type RunningCollector, startCollector } from '../../services/collector/src/server'
import { keysIn, tempDir } from './collector'

export interface ProjectsFile {
  adminKey: string
  projects: Array<Record<string, unknown>>
}

/**
 * A collector in the test's own process (embedded chDB in a fresh data directory) on a free port, quiet.
 * With `file`, the projects come from it; without, the collector creates its dev project (see keysIn()).
 * `env` adds or overrides environment variables (limits, for one).
 */
export async function startTestCollector(
  file?: ProjectsFile,
  extraEnv: Record<string, string> = {},
  /** the data directory, for a test that leaves something in it first (a spool) */
  dir = tempDir(),
): Promise<{ collector: RunningCollector; dir: string }> {
  const env: Record<string, string> = {
    TOUCHPOINT_DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  }
  if (file) {
    env.TOUCHPOINT_CONFIG = join(dir, 'projects.json')
    writeFileSync(env.TOUCHPOINT_CONFIG, JSON.stringify(file))
  }
  return { collector: await startCollector(loadConfig(env)), dir }
}

/** The environment a CLI process needs to ask a test collector: its data directory, its URL and its admin key. */
export const cliEnvOf = (started: { collector: RunningCollector; dir: string }): Record<string, string> => ({
  TOUCHPOINT_DATA_DIR: started.dir,
  TOUCHPOINT_URL: started.collector.url,
  TOUCHPOINT_ADMIN_KEY: keysIn(started.dir).adminKey,
})
