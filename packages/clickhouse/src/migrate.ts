import type { ClickHouse } from './client'
import { ddlContext } from './migrations/ddl'
import { MIGRATIONS } from './migrations/index'
import { applyRetention } from './retention'
import { TABLES } from './tables'

export interface MigrationResult {
  applied: Array<{ version: number; name: string }>
  current: number
  /** the tables whose TTL was changed to the retention asked for (retention.ts) */
  retention: string[]
}

export interface MigrateOptions {
  /** Apply migrations up to this version only (an upgrade test starts from an older schema this way). */
  target?: number
}

/**
 * Applies the migrations not yet recorded in schema_migrations, in order, and records each. Every statement is
 * idempotent (IF NOT EXISTS), so a run interrupted between a statement and its record is safe to repeat. Then
 * sets the tables' TTL to the client's retention, where one is asked for.
 */
export async function migrate(ch: ClickHouse, options: MigrateOptions = {}): Promise<MigrationResult> {
  const ctx = ddlContext(ch.cluster)
  await ch.client
    .command({
      query: `CREATE TABLE IF NOT EXISTS ${TABLES.migrations}${ctx.onCluster} (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ${ctx.engine('ReplacingMergeTree', TABLES.migrations)} ORDER BY version`,
    })
    .catch((err: Error) => {
      // the first request a start makes of a server: "connect ECONNREFUSED 10.0.0.5:8123" did not say to whom
      throw ch.mode === 'server' ? new Error(`ClickHouse server (CLICKHOUSE_URL): ${err.message}`) : err
    })
  const done = await appliedVersions(ch)
  const applied: MigrationResult['applied'] = []
  for (const m of MIGRATIONS) {
    if (done.has(m.version) || (options.target !== undefined && m.version > options.target)) continue
    for (const statement of m.up(ctx)) await ch.client.command({ query: statement })
    await ch.client.insert({
      table: TABLES.migrations,
      values: [{ version: m.version, name: m.name }],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: `migration-${m.version}` },
    })
    applied.push({ version: m.version, name: m.name })
  }
  const retention = await applyRetention(ch, ch.retention)
  return { applied, current: Math.max(0, ...MIGRATIONS.map((m) => m.version)), retention }
}

export async function appliedVersions(ch: ClickHouse): Promise<Set<number>> {
  const rs = await ch.client.query({
    query: `SELECT DISTINCT version FROM ${TABLES.migrations}`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ version: number }>()
  return new Set(rows.map((r) => Number(r.version)))
}
