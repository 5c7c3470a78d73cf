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
  let row: { q: string } | undefined
  try {
    const rs = await ch.readonly.query({
      query: 'SELECT formatQuerySingleLine({q:String}) AS q',
      query_params: { q: query },
      format: 'JSONEachRow',
      clickhouse_settings: ch.readonlySettings,
    })
    ;[row] = (await rs.json()) as Array<{ q: string }>
  } catch (err) {
    // a query the parser cannot read is not run; its words, without the call they were said in, are the answer
    const said = (err as Error).message
      .replace(/^Code: \d+\. DB::Exception: /, '')
      .replace(/\s*: In scope SELECT formatQuerySingleLine[\s\S]*$/, '')
    throw new QueryRefused(said.trim())
  }
  const bare = (row?.q ?? '').replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"/g, "''")
  if (/\bINTO OUTFILE\b/.test(bare))
    throw new QueryRefused(
      'INTO OUTFILE writes a file on the host, and read-only SQL writes nothing: read the rows as the answer',
    )
}

/** A read-only query refused before it ran: it would write a file, or ClickHouse's parser could not read it. */
export class QueryRefused extends Error {}
