import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type ClickHouseOptions, clickhouseEnv, clickhouseOptions } from '@touchpoint/clickhouse'
import { z } from 'zod'

/** The CLI's one configuration module: where to find a running collector, or ClickHouse itself. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  TOUCHPOINT_URL: z.url().optional(),
  TOUCHPOINT_ADMIN_KEY: z.string().optional(),
  TOUCHPOINT_SECRET_KEY: z.string().optional(),
  TOUCHPOINT_DATA_DIR: z.string().default('./.touchpoint'),
  TOUCHPOINT_CONFIG: z.string().optional(),
  ...clickhouseEnv,
})

export interface CliConfig {
  collectorUrl: string
  adminKey: string | undefined
  /** The project's secret key for `import` (otherwise read from the projects file). */
  secretKey: string | undefined
  dataDir: string
  /** The collector's projects file (keys for `email instrument`). */
  projectsFile: string
  clickhouse: Omit<ClickHouseOptions, 'dataDir'>
}

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new Error(`environment variable ${i?.path.join('.')}: ${i?.message}`)
  }
  const e = parsed.data
  const dataDir = resolve(e.TOUCHPOINT_DATA_DIR)
  const projectsFile = resolve(e.TOUCHPOINT_CONFIG ?? join(dataDir, 'touchpoint.json'))
  return {
    collectorUrl:
      e.TOUCHPOINT_URL ??
      (e.PORT ? `http://127.0.0.1:${e.PORT}` : (runningCollectorIn(dataDir) ?? 'http://127.0.0.1:8080')),
    adminKey: e.TOUCHPOINT_ADMIN_KEY ?? adminKeyFromFile(projectsFile),
    secretKey: e.TOUCHPOINT_SECRET_KEY,
    dataDir,
    projectsFile,
    clickhouse: clickhouseOptions(e),
  }
}

/**
 * The address of the collector running on the data directory, which it writes while it listens
 * (services/collector/src/util/address-file.ts), if its process is still there.
 */
function runningCollectorIn(dataDir: string): string | undefined {
  let written: { url?: unknown; pid?: unknown }
  try {
    written = JSON.parse(readFileSync(join(dataDir, 'collector.json'), 'utf8'))
  } catch {
    return undefined
  }
  if (typeof written.url !== 'string' || typeof written.pid !== 'number') return undefined
  try {
    process.kill(written.pid, 0)
  } catch (err) {
    // EPERM: running, as another user
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined
  }
  return written.url
}

function adminKeyFromFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined
  try {
    const key = (JSON.parse(readFileSync(path, 'utf8')) as { adminKey?: unknown }).adminKey
    return typeof key === 'string' ? key : undefined
  } catch {
    return undefined
  }
}
