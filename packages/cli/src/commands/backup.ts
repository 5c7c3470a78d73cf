import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type BackupManifest,
  backupManifest,
  backupNameNow,
  backupTo,
  createClickHouse,
  migrate,
  restoreFrom,
} from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'
import { postToCollector } from './collector-api'

const tablesText = (manifest: BackupManifest) =>
  manifest.tables.map((t) => `  ${t.table.padEnd(16)} ${t.rows.toLocaleString('en')} rows`).join('\n')

/**
 * `touchpoint backup [--name NAME]`: a copy of the embedded engine's tables in `<data dir>/backups/<name>`, made by
 * the running collector (which holds the engine), or by this process when none runs.
 */
export async function backupCommand(config: CliConfig, args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' } } })
  if (config.clickhouse.url)
    throw new Error(
      'CLICKHOUSE_URL: a ClickHouse server backs up with its own BACKUP … TO (docs/data-model.md, "Backups")',
    )
  const name = values.name ?? backupNameNow()
  const made =
    (await postToCollector<{ dir: string; manifest: BackupManifest }>(config, '/api/backup', { name })) ??
    (await withEngine(config, (ch) => backupTo(ch, name)))
  return `Backup in ${made.dir}:\n${tablesText(made.manifest)}\nCopy that directory off this host; touchpoint restore ${made.dir} loads it into a fresh data directory.\n`
}

/**
 * `touchpoint restore DIR`: loads a backup into the data directory (TOUCHPOINT_DATA_DIR), which must hold no events:
 * creates the tables, checks every file against the backup's count, then loads each. No collector may run on it.
 */
export async function restoreCommand(config: CliConfig, args: string[]): Promise<string> {
  const { positionals } = parseArgs({ args, allowPositionals: true })
  const dir = positionals[0]
  if (!dir || positionals.length > 1) throw new Error('usage: touchpoint restore <backup directory>')
  if (config.clickhouse.url)
    throw new Error(
      'CLICKHOUSE_URL: touchpoint restore loads the embedded engine; a server restores with RESTORE … FROM',
    )
  // before the engine opens the data directory, creating it: a mistyped backup leaves nothing behind
  backupManifest(dir)
  const manifest = await withEngine(config, async (ch) => {
    await migrate(ch)
    return restoreFrom(ch, dir)
  })
  return `Restored into ${config.dataDir}:\n${tablesText(manifest)}\n(the session parts rebuilt from the events)\n`
}

async function withEngine<T>(
  config: CliConfig,
  run: (ch: Awaited<ReturnType<typeof createClickHouse>>) => Promise<T>,
): Promise<T> {
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    return await run(ch)
  } finally {
    await ch.close()
  }
}
