import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { generateSynthetic } from '@touchpoint/analytics'
import { backupTo, createClickHouse, migrate, restoreFrom } from '@touchpoint/clickhouse'
import { tempDir } from '../test/helpers/collector'

/**
 * How long `touchpoint backup` and `touchpoint restore` take, and how large a backup is, on the synthetic events of
 * the query bench: a backup of one embedded engine, restored into a fresh one (its session parts rebuilt through
 * their view). `tsx bench/backup-restore.ts [events]` (default 1,000,000).
 */
const events = Number(process.argv[2] ?? 1_000_000)
const base = tempDir('tp-bench-backup-')
const size = (dir: string) => execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0]
const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now()
  const result = await run()
  return [result, Math.round(performance.now() - started)]
}
try {
  const from = await createClickHouse({ dataDir: join(base, 'from', 'clickhouse') })
  await migrate(from)
  await generateSynthetic(from, { project: 'bench', events, from: new Date('2026-09-01'), days: 90 })
  const [{ dir, manifest }, backupMs] = await timed(() => backupTo(from, 'bench'))
  const stored = size(join(base, 'from', 'clickhouse'))
  await from.close()
  const into = await createClickHouse({ dataDir: join(base, 'into', 'clickhouse') })
  await migrate(into)
  const [, restoreMs] = await timed(() => restoreFrom(into, dir))
  await into.close()
  const rows = manifest.tables.map((t) => `${t.table} ${t.rows.toLocaleString('en')}`).join(', ')
  console.log(
    `${events.toLocaleString('en')} events (${rows}); the engine's data ${stored}, the backup ${size(dir)}`,
  )
  console.log(`backup ${backupMs} ms, restore ${restoreMs} ms`)
} finally {
  rmSync(base, { recursive: true, force: true })
}
