import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { describe, expect, it } from 'vitest'
import { QueryRefused, refuseFileWrites } from './read-only-query'
import { useEmbeddedClickHouse } from './testing'

const db = useEmbeddedClickHouse('tp-read-only-', {
  migrated: false,
  // the default result bound: a result past it fails after its first block was written (see below)
  sqlLimits: { maxSeconds: 1, maxResultRows: 100_000, maxMemoryBytes: 64 * 1024 * 1024 },
})

const rows = async (client: ClickHouseClient, query: string) => {
  const rs = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: db.ch.readonlySettings })
  return rs.json<Record<string, unknown>>()
}
/** The error type ClickHouse names for a query, or 'ok'. */
const refusal = (client: ClickHouseClient, query: string) =>
  rows(client, query).then(
    () => 'ok',
    (err: Error & { type?: string }) => err.type ?? err.message,
  )

describe('the read-only handle', () => {
  it('answers within its bounds, and refuses a query past them with the bound ClickHouse names', async () => {
    expect(db.ch.sqlLimits).toMatchObject({
      maxSeconds: 1,
      maxResultRows: 100_000,
      maxMemoryBytes: 64 * 1024 * 1024,
    })
    expect(await rows(db.ch.readonly, 'SELECT number FROM numbers(100000)')).toHaveLength(100_000)
    expect(await refusal(db.ch.readonly, 'SELECT number FROM numbers(100001)')).toBe('TOO_MANY_ROWS_OR_BYTES')
    // an endless result stops at the bound instead of growing the process
    expect(await refusal(db.ch.readonly, 'SELECT * FROM system.numbers')).toBe('TOO_MANY_ROWS_OR_BYTES')
    const started = Date.now()
    expect(await refusal(db.ch.readonly, 'SELECT count() FROM numbers(100000000000)')).toBe(
      'TIMEOUT_EXCEEDED',
    )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await refusal(db.ch.readonly, 'SELECT groupArray(number) FROM numbers(50000000)')).toBe(
      'MEMORY_LIMIT_EXCEEDED',
    )
  })

  it('keeps its bounds against a query that sets its own', async () => {
    expect(
      await refusal(db.ch.readonly, 'SELECT number FROM numbers(5000) SETTINGS max_result_rows = 0'),
    ).toBe('READONLY')
    await expect(db.ch.readonly.command({ query: 'SET max_execution_time = 0' })).rejects.toMatchObject({
      type: 'READONLY',
    })
  })

  it('leaves the pipeline’s handle unbounded', async () => {
    expect(await rows(db.ch.client, 'SELECT number FROM numbers(5000)')).toHaveLength(5_000)
  })
})

describe('a query that fails after writing output', () => {
  // chDB 3.4 hands such output to the next query on the connection, ahead of its own rows (chdb-session.ts)
  it.each([
    ['read-only', () => db.ch.readonly],
    ['pipeline', () => db.ch.client],
  ])('leaves nothing for the next query on the %s handle', async (_name, handle) => {
    const client = handle()
    // each fails after its first block of 65,536 rows was written (on the read-only handle, past the result bound)
    for (const failing of [
      'SELECT throwIf(number = 700000) FROM numbers(1000000)',
      'SELECT number, throwIf(number = 300000) FROM numbers(1000000)',
    ]) {
      expect(await refusal(client, failing)).not.toBe('ok')
      expect(await rows(client, 'SELECT 2 AS two')).toEqual([{ two: 2 }])
    }
  })
})

describe('read-only SQL and files', () => {
  it('refuses INTO OUTFILE however it is written, which readonly=1 lets the embedded engine run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-outfile-'))
    const target = join(dir, 'out.txt')
    // what refuseFileWrites stands between: the read-only handle itself writes the file
    await rows(db.ch.readonly, `SELECT 1 INTO OUTFILE '${join(dir, 'written.txt')}'`)
    expect(existsSync(join(dir, 'written.txt'))).toBe(true)
    for (const query of [
      `SELECT 1 INTO OUTFILE '${target}'`,
      `select 1 into/* a comment */outfile '${target}' APPEND`,
      `(SELECT 1) INTO\n  OUTFILE '${target}' COMPRESSION 'gzip'`,
    ])
      await expect(refuseFileWrites(db.ch, query)).rejects.toThrow(QueryRefused)
    expect(existsSync(target)).toBe(false)
    // a query the parser cannot read is not run either (a NUL byte once reached the API's answer as a 500)
    await expect(refuseFileWrites(db.ch, '\u0000')).rejects.toThrow(QueryRefused)
    // in the parser's words, as the caller wrote the query
    await expect(refuseFileWrites(db.ch, "SELECT '1")).rejects.toThrow(
      /^Single quoted string is not closed: Syntax error: failed at position 8 \('1\): '1\.$/,
    )
    // the words in a string, a name or a comment are not the clause
    for (const query of [
      "SELECT 'INTO OUTFILE' AS s",
      'SELECT 1 AS `INTO OUTFILE`',
      'SELECT 1 -- INTO OUTFILE x',
    ])
      await expect(refuseFileWrites(db.ch, query)).resolves.toBeUndefined()
  })
})
