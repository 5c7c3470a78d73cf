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
  /**
   * The collector that ran on the data directory is gone: its address file names a process that no longer runs
   * (killed, or crashed). Nothing serves the directory, so the CLI opens it itself, and does not ask whichever
   * collector listens where it did (or on 8080), which would answer over other data.
   */
  collectorGone?: { pid: number } | undefined
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
  const named = e.TOUCHPOINT_URL ?? (e.PORT ? `http://127.0.0.1:${e.PORT}` : undefined)
  const written = named ? undefined : collectorIn(dataDir)
  return {
    collectorUrl: named ?? written?.url ?? 'http://127.0.0.1:8080',
    ...(written && !written.running && { collectorGone: { pid: written.pid } }),
    adminKey: e.TOUCHPOINT_ADMIN_KEY ?? adminKeyFromFile(projectsFile),
    secretKey: e.TOUCHPOINT_SECRET_KEY,
    dataDir,
    projectsFile,
    clickhouse: clickhouseOptions(e),
  }
}

/**
 * Where the collector on the data directory listens, which it writes there while it listens
 * (services/collector/src/util/address-file.ts), and whether its process still runs: a collector stopped cleanly
 * takes the file away, a killed one cannot.
 */
function collectorIn(dataDir: string): { url: string; pid: number; running: boolean } | undefined {
  let written: { url?: unknown; pid?: unknown }
  try {
    written = JSON.parse(readFileSync(join(dataDir, 'collector.json'), 'utf8'))
  } catch {
    return undefined
  }
  const { url, pid } = written
  if (typeof url !== 'string' || typeof pid !== 'number') return undefined
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: running, as another user
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return { url, pid, running: false }
  }
  return { url, pid, running: true }
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
