import { join } from 'node:path'
import { createClickHouse, migrate as runMigrations } from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'

/**
 * `touchpoint migrate`: applies pending migrations and the retention asked for (EVENTS_RETENTION_DAYS,
 * EVENTS_RETENTION_BY_PROJECT, REJECTED_RETENTION_DAYS). The collector and the ingester also do at start; this is for a
 * ClickHouse server (CLICKHOUSE_URL) or an embedded data directory that no running collector holds.
 */
export async function migrate(config: CliConfig): Promise<string> {
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    const result = await runMigrations(ch)
    const applied = result.applied.map((m) => `  ${m.version} ${m.name}`).join('\n')
    const schema = result.applied.length
      ? `Applied:\n${applied}\nSchema version ${result.current}`
      : `Up to date (schema version ${result.current})`
    return result.retention.length
      ? `${schema}\nRetention changed on: ${result.retention.join(', ')}`
      : schema
  } finally {
    await ch.close()
  }
}
