import { Readable } from 'node:stream'
import type { ClickHouse } from './client'
import type { TableName } from './tables'

/**
 * Inserts pre-serialised JSONEachRow text. `token` is the insert's deduplication token: ClickHouse drops a
 * repeat of an insert with the same token, which makes a retried batch (after a crash between insert and
 * checkpoint) land once. The token is required on purpose: chDB keeps query settings for the session, so an
 * insert without its own token would inherit the previous one and be dropped as a duplicate.
 */
export async function insertJsonEachRow(
  ch: ClickHouse,
  table: TableName,
  body: string,
  token: string,
): Promise<void> {
  if (body.length === 0) return
  const result = await ch.client.exec({
    query: `INSERT INTO ${table} FORMAT JSONEachRow`,
    values: Readable.from([body], { objectMode: false }),
    clickhouse_settings: {
      insert_deduplication_token: token,
      insert_deduplicate: 1,
      date_time_input_format: 'best_effort',
      input_format_skip_unknown_fields: 1,
      // tables are partitioned by month, and an import of years of history puts many months in one insert
      max_partitions_per_insert_block: '0',
    },
  })
  result.stream.resume()
}
