import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ClickHouse } from './client'
import { appliedVersions } from './migrate'
import { quoteIdent } from './migrations/ddl'
import { sqlString } from './sql-string'
import { TABLES } from './tables'

/**
 * A copy of what the embedded engine stores, as files: one gzipped Native file for each table and a manifest.
 * The session parts are left out: they are derived from the events, and a restore's events rebuild them through
 * their view. The tables are copied one after another, while events may still arrive: an event loaded between
 * two tables' copies may be in one and not the other (an identity link without its identify event, say); the next
 * backup has both.
 */
export const BACKUP_TABLES = [TABLES.events, TABLES.rejected, TABLES.identities, TABLES.adSpend] as const
const MANIFEST = 'manifest.json'
const fileOf = (table: string) => `${table}.native.gz`

export interface BackupManifest {
  /** The schema's migrations that had run where the backup was made. */
  migrations: number[]
  createdAt: string
  tables: Array<{ table: string; rows: number; columns: string[] }>
}

function embeddedOnly(ch: ClickHouse, what: string) {
  if (ch.mode !== 'embedded')
    throw new Error(
      `${what} is for the embedded engine; a ClickHouse server backs up with its own BACKUP … TO (docs/data-model.md, "Backups")`,
    )
}

/** The columns a table's rows are written with: a materialized or alias column is computed again from them. */
async function columnsOf(ch: ClickHouse, table: string): Promise<Array<{ name: string; type: string }>> {
  const result = await ch.client.query({
    query: `SELECT name, type FROM system.columns
      WHERE database = currentDatabase() AND table = {t:String} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL')
      ORDER BY position`,
    query_params: { t: table },
    format: 'JSONEachRow',
  })
  return (await result.json()) as Array<{ name: string; type: string }>
}

async function countOf(ch: ClickHouse, table: string): Promise<number> {
  const result = await ch.client.query({
    query: `SELECT count() AS n FROM ${quoteIdent(table)}`,
    format: 'JSONEachRow',
  })
  return Number(((await result.json()) as Array<{ n: string | number }>)[0]?.n ?? 0)
}

/** A backup's name: a directory of its own under the engine's backups directory. */
export const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/

/** The name of a backup made now: its time, as a file name may hold it (2026-12-06T21-41-05Z). */
export const backupNameNow = () =>
  new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-')

/**
 * Writes a backup named `name` into the backups directory beside the engine's data (`<data dir>/backups/<name>`),
 * and answers where, and what it holds.
 */
export async function backupTo(
  ch: ClickHouse,
  name: string,
): Promise<{ dir: string; manifest: BackupManifest }> {
  embeddedOnly(ch, 'A backup to files')
  if (!BACKUP_NAME.test(name)) throw new Error(`${name}: a backup's name is letters, digits, _, . and -`)
  const target = resolve(ch.backupsDir!, name)
  if (existsSync(target) && existsSync(join(target, MANIFEST)))
    throw new Error(`${target} holds a backup already: name another directory`)
  mkdirSync(target, { recursive: true })
  const manifest: BackupManifest = {
    migrations: [...(await appliedVersions(ch))].sort((a, b) => a - b),
    createdAt: new Date().toISOString(),
    tables: [],
  }
  for (const table of BACKUP_TABLES) {
    const typed = await columnsOf(ch, table)
    const columns = typed.map((c) => c.name)
    const list = columns.map(quoteIdent).join(', ')
    // the rows as they are, unmerged repeats included: the restored table merges them as this one would
    await ch.client.command({
      query: `SELECT ${list} FROM ${quoteIdent(table)} INTO OUTFILE ${sqlString(join(target, fileOf(table)))} TRUNCATE COMPRESSION 'gzip' FORMAT Native`,
    })
    // counted from the file: rows loaded since it was written are in the table and not in the backup
    const file = await ch.client.query({
      // with its structure: an empty table's file holds no block to read it from
      query: `SELECT count() AS n FROM file(${sqlString(join(target, fileOf(table)))}, Native, ${sqlString(
        typed.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', '),
      )})`,
      format: 'JSONEachRow',
    })
    const rows = Number(((await file.json()) as Array<{ n: string | number }>)[0]?.n ?? 0)
    manifest.tables.push({ table, rows, columns })
  }
  // the manifest last: a directory without one is a backup that did not finish
  writeFileSync(join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
  return { dir: target, manifest }
}

/**
 * Loads a backup into an engine whose tables are empty (a fresh data directory, migrated), and checks that each
 * table holds as many rows as the backup says. A backup of an older schema loads into the newer one (a column it
 * lacks takes its default); one of a newer schema than this engine's is refused.
 */
export async function restoreFrom(ch: ClickHouse, dir: string): Promise<BackupManifest> {
  embeddedOnly(ch, 'A restore from files')
  const source = resolve(dir)
  const manifestFile = join(source, MANIFEST)
  if (!existsSync(manifestFile)) throw new Error(`${source}: no ${MANIFEST}, so no finished backup`)
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest
  const here = await appliedVersions(ch)
  const newer = manifest.migrations.filter((v) => !here.has(v))
  if (newer.length)
    throw new Error(
      `the backup's schema has migrations this version lacks (${newer.join(', ')}): restore it with a newer Touchpoint`,
    )
  for (const { table } of manifest.tables) {
    const rows = await countOf(ch, table)
    if (rows > 0) throw new Error(`${table} holds ${rows} rows already: restore into a fresh data directory`)
  }
  for (const { table, columns, rows } of manifest.tables) {
    const present = new Set((await columnsOf(ch, table)).map((c) => c.name))
    const missing = columns.filter((c) => !present.has(c))
    if (missing.length)
      throw new Error(`${table} has no column ${missing.join(', ')}: restore with a newer Touchpoint`)
    await ch.client.command({
      query: `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM INFILE ${sqlString(join(source, fileOf(table)))} COMPRESSION 'gzip' FORMAT Native`,
      clickhouse_settings: { max_partitions_per_insert_block: '0', insert_deduplicate: 0 },
    })
    const restored = await countOf(ch, table)
    if (restored !== rows) throw new Error(`${table}: ${restored} rows restored of the backup's ${rows}`)
  }
  return manifest
}
