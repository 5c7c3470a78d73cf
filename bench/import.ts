import { execFile } from 'node:child_process'
import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CollectorProcess, freePort, keysIn, ROOT, tempDir } from '../test/helpers/collector'
import { eventually, sql } from '../test/helpers/http'
import { writeOrderRows } from '../test/helpers/ndjson'
import { BENCH_ENV } from './load'

export interface ImportBench {
  rows: number
  fileMiB: number
  seconds: number
  rowsPerSecond: number
  /** resident memory of the import process at 25/50/75/100% of the file, and its peak */
  memoryQuartersMiB: number[]
  peakMiB: number
  /** rows of the file found in ClickHouse afterwards: the bench checks nothing was lost or doubled */
  stored: number
  distinct: number
}

const log = (line: string) => process.stderr.write(`  ${line}\n`)

/** `touchpoint import` of an NDJSON file into an embedded collector, as a user runs it. */
export async function benchImport(rows: number): Promise<ImportBench> {
  const dir = tempDir('tp-bench-import-')
  const collector = new CollectorProcess(join(dir, 'data'), await freePort(), BENCH_ENV)
  try {
    await collector.start()
    const keys = keysIn(join(dir, 'data'))
    const file = join(dir, 'orders.ndjson')
    await writeOrderRows(file, rows)
    log(`import: ${rows.toLocaleString('en')} rows written`)
    const out = await new Promise<string>((res, rej) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'packages/cli/src/bin.ts'), 'import', file, '--json'],
        {
          cwd: ROOT,
          env: { ...process.env, TOUCHPOINT_URL: collector.url, TOUCHPOINT_SECRET_KEY: keys.secretKey },
        },
        (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)),
      ),
    )
    const summary = JSON.parse(out)
    const [counts] = await eventually(
      () =>
        sql<{ n: number; d: number }>(
          collector.url,
          keys.adminKey,
          `SELECT count() AS n, uniqExact(message_id) AS d FROM events WHERE source = 'import'`,
        ),
      (r) => Number(r[0]?.n) >= rows,
      300_000,
    )
    log(`import: ${summary.rowsPerSecond} rows/s, memory ${summary.memory.quartersMiB.join('/')} MiB`)
    return {
      rows,
      fileMiB: Math.round(statSync(file).size / 2 ** 20),
      seconds: summary.seconds,
      rowsPerSecond: summary.rowsPerSecond,
      memoryQuartersMiB: summary.memory.quartersMiB,
      peakMiB: summary.memory.peakMiB,
      stored: Number(counts?.n),
      distinct: Number(counts?.d),
    }
  } finally {
    await collector.stop('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}
