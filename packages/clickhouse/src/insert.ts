import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { ClickHouse } from './client'
import { sqlString } from './sql-string'
import type { TableName } from './tables'
import { wellFormedRows } from './well-formed'

const SETTINGS = {
  insert_deduplicate: 1,
  date_time_input_format: 'best_effort',
  input_format_skip_unknown_fields: 1,
  // tables are partitioned by month, and an import of years of history puts many months in one insert
  max_partitions_per_insert_block: '0',
} as const

let staged = 0

/**
 * Inserts pre-serialised JSONEachRow text. `token` is the insert's deduplication token: ClickHouse drops a
 * repeat of an insert with the same token, which makes a retried batch (after a crash between insert and
 * checkpoint) land once. The token is required on purpose: chDB keeps query settings for the session, so an
 * insert without its own token would inherit the previous one and be dropped as a duplicate.
 *
 * A server gets the rows as the HTTP request body. The embedded engine gets them as a file: chDB parses an
 * insert's inline data (the rows appended to the query text, which is how its connection passes a body)
 * slowly: 5,000 event rows took 348 ms of CPU inline and 110 ms `FROM INFILE` (`bench/insert-path.ts`,
 * docs/performance.md, "Loading"). Both paths are the same INSERT into the same table, with the same token and
 * settings. A lone surrogate in the rows' strings is replaced first (wellFormedRows says why).
 */
export async function insertJsonEachRow(
  ch: ClickHouse,
  table: TableName,
  /** the lines as text, or UTF-8 encoded */
  body: string | Uint8Array,
  token: string,
): Promise<void> {
  if (body.length === 0) return
  body = wellFormedRows(body)
  const settings = { ...SETTINGS, insert_deduplication_token: token }
  if (ch.stagingDir) {
    const file = join(ch.stagingDir, `${process.pid}-${++staged}.ndjson`)
    try {
      // inside the try: a write the disk refused part-way (ENOSPC) leaves a file, which a retry would not reuse
      await writeFile(file, body)
      await ch.client.command({
        query: `INSERT INTO ${table} FROM INFILE ${sqlString(file)} FORMAT JSONEachRow`,
        clickhouse_settings: settings,
      })
    } finally {
      await rm(file, { force: true })
    }
    return
  }
  const result = await ch.client.exec({
    query: `INSERT INTO ${table} FORMAT JSONEachRow`,
    values: Readable.from(
      [typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.length)],
      {
        objectMode: false,
      },
    ),
    clickhouse_settings: settings,
  })
  result.stream.resume()
}
