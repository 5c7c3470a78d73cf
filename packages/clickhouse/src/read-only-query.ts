import type { ClickHouse } from './client'

/**
 * Refuses a read-only query that would write a file. readonly=1 stops writes to tables, table functions and
 * settings, but not `SELECT … INTO OUTFILE`: a ClickHouse server refuses it over HTTP, while the embedded engine
 * writes the file in the collector's process, where the collector's user may write, appending to one that exists
 * (an admin key for analysts' SQL would write to the host). The query is read by ClickHouse's own parser and
 * printed in its one canonical form, in which comments are gone, keywords are upper case and separated by single
 * spaces; its string literals and quoted names are set aside before looking, so that no text in them counts.
 */
export async function refuseFileWrites(ch: ClickHouse, query: string): Promise<void> {
  if (ch.mode !== 'embedded') return
  const rs = await ch.readonly.query({
    query: 'SELECT formatQuerySingleLine({q:String}) AS q',
    query_params: { q: query },
    format: 'JSONEachRow',
    clickhouse_settings: ch.readonlySettings,
  })
  const [row] = (await rs.json()) as Array<{ q: string }>
  const bare = (row?.q ?? '').replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"/g, "''")
  if (/\bINTO OUTFILE\b/.test(bare))
    throw new FileWriteRefused(
      'INTO OUTFILE writes a file on the host, and read-only SQL writes nothing: read the rows as the answer',
    )
}

export class FileWriteRefused extends Error {}
