import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
export const BACKUP_TABLES = [
  TABLES.events,
  TABLES.rejected,
  TABLES.identities,
  TABLES.adSpend,
  // the ledger of erasures: a restored store still leaves out what a re-read brings of the people erased before
  TABLES.erasures,
] as const
const MANIFEST = 'manifest.json'
const fileOf = (table: string) => `${table}.native.gz`

export interface BackupManifest {
  /** The schema's migrations that had run where the backup was made. */
  migrations: number[]
  createdAt: string
  /** Each table's rows in its file, and the columns they were written with, with their types. */
  tables: Array<{ table: string; rows: number; columns: string[]; types: string[] }>
}

/** A backup or restore refused for what it was asked (a server, a name taken), not for a failure on the way. */
export class BackupRefused extends Error {
  constructor(
    message: string,
    /** the request's field it is about, where it is one */
    readonly field?: 'name',
  ) {
    super(message)
  }
}

function embeddedOnly(ch: ClickHouse, what: string) {
  if (ch.mode !== 'embedded')
    throw new BackupRefused(
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

/** The rows of a backup's file, read to its end (a damaged or cut file fails here, before anything is loaded). */
async function rowsInFile(ch: ClickHouse, file: string, columns: string[], types: string[]): Promise<number> {
  // with its structure: an empty table's file holds no block to read it from
  const structure = columns.map((name, i) => `${quoteIdent(name)} ${types[i]}`).join(', ')
  const result = await ch.client.query({
    query: `SELECT count() AS n FROM file(${sqlString(file)}, Native, ${sqlString(structure)})`,
    format: 'JSONEachRow',
  })
  return Number(((await result.json()) as Array<{ n: string | number }>)[0]?.n ?? 0)
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
  if (!BACKUP_NAME.test(name))
    throw new BackupRefused(`${name}: a backup's name is letters, digits, _, . and -`, 'name')
  const target = resolve(ch.backupsDir!, name)
  if (existsSync(target) && existsSync(join(target, MANIFEST)))
    throw new BackupRefused(`${target} holds a backup already: name another directory`, 'name')
  // the backup holds every person's data: readable by the collector's user only, as `touchpoint export` writes
  mkdirSync(target, { recursive: true, mode: 0o700 })
  chmodSync(target, 0o700)
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
    chmodSync(join(target, fileOf(table)), 0o600)
    const types = typed.map((c) => c.type)
    // counted from the file: rows loaded since it was written are in the table and not in the backup
    const rows = await rowsInFile(ch, join(target, fileOf(table)), columns, types)
    manifest.tables.push({ table, rows, columns, types })
  }
  // the manifest last: a directory without one is a backup that did not finish
  writeFileSync(join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  return { dir: target, manifest }
}

/**
 * Loads a backup into an engine whose tables are empty (a fresh data directory, migrated), once every file has
 * been read through and holds the rows the backup counted (a damaged file is found before anything loads). A backup of an older schema loads into the newer one (a column it
 * lacks takes its default); one of a newer schema than this engine's is refused.
 */
/**
 * A finished backup's manifest, read before anything is opened: a mistyped directory is told without a data
 * directory being made for it.
 */
export function backupManifest(dir: string): BackupManifest {
  const manifestFile = join(resolve(dir), MANIFEST)
  if (!existsSync(manifestFile))
    throw new BackupRefused(`${resolve(dir)}: no ${MANIFEST}, so no finished backup`)
  try {
    return JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest
  } catch (err) {
    throw new BackupRefused(`${manifestFile}: not a backup's manifest (${(err as Error).message})`)
  }
}

export async function restoreFrom(ch: ClickHouse, dir: string): Promise<BackupManifest> {
  embeddedOnly(ch, 'A restore from files')
  const source = resolve(dir)
  const manifest = backupManifest(source)
  const here = await appliedVersions(ch)
  const newer = manifest.migrations.filter((v) => !here.has(v))
  if (newer.length)
    throw new Error(
      `the backup's schema has migrations this version lacks (${newer.join(', ')}): restore it with a newer Touchpoint`,
    )
  for (const { table, columns, types, rows } of manifest.tables) {
    if (!(BACKUP_TABLES as readonly string[]).includes(table))
      throw new Error(`${table}: not a table a backup holds`)
    const held = await countOf(ch, table)
    if (held > 0) throw new Error(`${table} holds ${held} rows already: restore into a fresh data directory`)
    const present = new Set((await columnsOf(ch, table)).map((c) => c.name))
    const missing = columns.filter((c) => !present.has(c))
    if (missing.length)
      throw new Error(`${table} has no column ${missing.join(', ')}: restore with a newer Touchpoint`)
    const read = await rowsInFile(ch, join(source, fileOf(table)), columns, types)
    if (read !== rows) throw new Error(`${fileOf(table)}: ${read} rows, where the backup wrote ${rows}`)
  }
  for (const { table, columns } of manifest.tables)
    await ch.client.command({
      query: `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM INFILE ${sqlString(join(source, fileOf(table)))} COMPRESSION 'gzip' FORMAT Native`,
      // the rows as they were stored: repeats not yet merged stay apart, for merges to settle as they would have
      clickhouse_settings: {
        max_partitions_per_insert_block: '0',
        insert_deduplicate: 0,
        optimize_on_insert: 0,
      },
    })
  return manifest
}
