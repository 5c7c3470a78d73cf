import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { type Connection as ChdbConnection, drainingConnection } from './chdb-session'
import type { Retention } from './retention'
import {
  DEFAULT_SQL_LIMITS,
  defaultMaxMemoryBytes,
  type SqlLimits,
  setStatement,
  sqlLimitSettings,
} from './sql-limits'

export interface ClickHouseOptions {
  /** HTTP(S) URL of a ClickHouse server or load balancer. Without it, chDB runs in-process on `dataDir`. */
  url?: string | undefined
  username?: string | undefined
  password?: string | undefined
  database?: string | undefined
  /** Directory of the embedded engine's data (used when `url` is not set). */
  dataDir?: string | undefined
  /** Run DDL `ON CLUSTER` this cluster with Replicated engines (server mode only). */
  cluster?: string | undefined
  /** Bounds on the read-only handle's queries; each one not given takes its default (sql-limits.ts). */
  sqlLimits?: { [K in keyof SqlLimits]?: number | undefined }
  /** How long the tables keep data, applied by migrate() (retention.ts). */
  retention?: Retention | undefined
}

export interface ClickHouse {
  mode: 'server' | 'embedded'
  /** For the pipeline: inserts, DDL, reads. */
  client: ClickHouseClient
  /** For operators' and analysts' SQL and the reports: every query runs with readonly=1, within `sqlLimits`. */
  readonly: ClickHouseClient
  /** Query settings that make `readonly` read-only and bounded (server mode: per query; embedded: on its session). */
  readonlySettings: Record<string, string>
  /** The bounds on `readonly`'s queries. */
  sqlLimits: SqlLimits
  cluster: string | undefined
  /** Embedded mode: the directory where inserts stage their rows for `INSERT … FROM INFILE` (see insert.ts). */
  stagingDir: string | undefined
  /** Embedded mode: where `touchpoint backup` writes, beside the engine's data directory (backup.ts). */
  backupsDir: string | undefined
  /** How long the tables keep data, which migrate() applies (retention.ts); nothing set, nothing changed. */
  retention: Retention
  close(): Promise<void>
}

/**
 * chdb/connection is typed against @clickhouse/client-common, which the client bundles as its own copy. Loaded
 * on first use: the engine is a large native library that server mode and most CLI commands never need. Its
 * calls run in turn, and a failed one is drained (chdb-session.ts).
 */
const chdbConnection = async (path: string) => {
  const { createChdbConnection } = await import('chdb/connection')
  try {
    return drainingConnection(createChdbConnection({ path }) as unknown as ChdbConnection)
  } catch (err) {
    // chDB says why on stderr (a running collector holds the directory's lock, most often); its error does not
    throw new Error(
      `${(err as Error).message}: the embedded ClickHouse is open in another process, such as a collector started on this data directory (stop it, or have the command ask it: TOUCHPOINT_URL or PORT), or the directory is not writable`,
    )
  }
}

/**
 * The one client factory. In server mode both handles share one HTTP client and readonly=1 travels with each
 * analyst query. chDB applies query settings to the whole session, so in embedded mode the read-only handle
 * is a second session on the same data directory, made read-only once and for good. Either way the read-only
 * handle's queries run within `sqlLimits` (sql-limits.ts); the pipeline's handle has no such bounds.
 */
export async function createClickHouse(options: ClickHouseOptions): Promise<ClickHouse> {
  const sqlLimits: SqlLimits = { ...DEFAULT_SQL_LIMITS, maxMemoryBytes: defaultMaxMemoryBytes(!options.url) }
  for (const [name, value] of Object.entries(options.sqlLimits ?? {}))
    if (value !== undefined) sqlLimits[name as keyof SqlLimits] = value
  const limitSettings = sqlLimitSettings(sqlLimits)
  if (options.url) {
    const client = createClient({
      url: options.url,
      username: options.username ?? 'default',
      password: options.password ?? '',
      database: options.database ?? 'default',
      request_timeout: 60_000,
      compression: { request: false, response: true },
      // its own logger wrote each failed request as a dozen lines of text into the services' JSON logs, once a
      // retry while ClickHouse was down; the callers report failures in their logs, with what they do about them
      log: { level: ClickHouseLogLevel.OFF },
    })
    return {
      mode: 'server',
      client,
      readonly: client,
      // ClickHouse checks a request's setting changes against the settings before them (SettingsConstraints), so
      // the bounds and readonly=1 can travel together, and a query's own SETTINGS clause, checked after, cannot
      // lift them. Read from ClickHouse's source; not tested here (no server on this machine)
      readonlySettings: { ...limitSettings, readonly: '1' },
      sqlLimits,
      cluster: options.cluster,
      stagingDir: undefined,
      backupsDir: undefined,
      retention: options.retention ?? {},
      close: () => client.close(),
    }
  }
  const path = resolve(options.dataDir ?? '.touchpoint/clickhouse')
  mkdirSync(path, { recursive: true })
  const stagingDir = join(path, 'user_files', 'touchpoint-inserts')
  mkdirSync(stagingDir, { recursive: true })
  removeOrphanedStaging(stagingDir)
  const client = createClient({ connection: await chdbConnection(path) })
  const readonly = createClient({ connection: await chdbConnection(path) })
  // the bounds first: once the session is read-only, nothing (a query's SETTINGS clause included) can change them
  const bounds = setStatement(limitSettings)
  if (bounds) await readonly.command({ query: bounds })
  await readonly.command({ query: 'SET readonly = 1' })
  return {
    mode: 'embedded',
    client,
    readonly,
    readonlySettings: {},
    sqlLimits,
    cluster: undefined,
    stagingDir,
    backupsDir: resolve(path, '..', 'backups'),
    retention: options.retention ?? {},
    async close() {
      await readonly.close()
      await client.close()
    },
  }
}

/**
 * Staged files are named after the process that wrote them and removed once inserted; a process killed mid-insert
 * leaves its file behind. Those of processes no longer running are removed here (the batch itself is still in
 * the spool or in Kafka, and is staged again when it is retried).
 */
function removeOrphanedStaging(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(name.split('-')[0])
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid))
      rmSync(join(dir, name), { force: true })
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
