import { join } from 'node:path'
import { createClickHouse } from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'

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
    const viaCollector = await askCollector(config, query, params)
    if (viaCollector) return viaCollector
  }
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    const rs = await ch.readonly.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: ch.readonlySettings,
    })
    return await rs.json()
  } finally {
    await ch.close()
  }
}

async function askCollector(
  config: CliConfig,
  query: string,
  params: Record<string, unknown>,
): Promise<Rows | undefined> {
  let res: Response
  try {
    res = await fetch(`${config.collectorUrl}/api/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${config.adminKey ?? ''}` },
      body: JSON.stringify({ query, params }),
    })
  } catch {
    return undefined
  }
  const body = (await res.json()) as { rows?: Rows; code?: string; message?: string }
  if (!res.ok) throw new Error(`${body.code ?? res.status}: ${body.message ?? 'request failed'}`)
  return body.rows ?? []
}
