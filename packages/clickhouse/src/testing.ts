import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { type ClickHouse, type ClickHouseOptions, createClickHouse } from './client'
import { migrate } from './migrate'

/**
 * For a test file: the embedded engine (chDB) in a fresh temporary directory, opened before its tests (with
 * Touchpoint's tables unless `migrated` is false) and closed and removed after them.
 */
export function useEmbeddedClickHouse(
  prefix: string,
  options: { migrated?: boolean } & Omit<ClickHouseOptions, 'dataDir'> = {},
): { readonly ch: ClickHouse; readonly dir: string } {
  const { migrated = true, ...clientOptions } = options
  let ch: ClickHouse | undefined
  let dir: string | undefined
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    ch = await createClickHouse({ ...clientOptions, dataDir: dir })
    if (migrated) await migrate(ch)
  })
  afterAll(async () => {
    await ch?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  return {
    get ch() {
      if (!ch) throw new Error('the embedded engine is not open yet')
      return ch
    },
    get dir() {
      if (!dir) throw new Error('the embedded engine is not open yet')
      return dir
    },
  }
}
