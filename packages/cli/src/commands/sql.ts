import { join } from 'node:path'
import {
  boundMessage,
  callersMessage,
  createClickHouse,
  QueryRefused,
  refuseFileWrites,
} from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'
import { postToCollector } from './collector-api'

export type Rows = Array<Record<string, unknown>>

/**
 * `touchpoint sql "<query>"`: read-only SQL. With CLICKHOUSE_URL it asks ClickHouse directly; otherwise it asks
 * the running collector's /api/sql (the embedded engine belongs to that process), and when no collector
 * answers, it opens the embedded data directory itself.
 */
export async function sql(
  config: CliConfig,
  query: string,
  params: Record<string, unknown> = {},
): Promise<Rows> {
  if (!config.clickhouse.url) {
    const viaCollector = await postToCollector<{ rows?: Rows }>(config, '/api/sql', { query, params })
    if (viaCollector) return viaCollector.rows ?? []
  }
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    await refuseFileWrites(ch, query)
    const rs = await ch.readonly.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: ch.readonlySettings,
    })
    return await rs.json()
  } catch (err) {
    if (err instanceof QueryRefused) throw err
    throw new Error(boundMessage(err) ?? callersMessage(err))
  } finally {
    await ch.close()
  }
}
