import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Sets a running process's soft file size limit (bytes; 'unlimited' lifts it), its hard limit left as it is, so no
 * privilege is needed: a write that would take a file past it is cut short or fails with EFBIG, as a full disk's
 * writes fail with ENOSPC.
 */
export function limitFileSize(pid: number, limit: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:`])
}

/** The size of the spool segment a service in `dataDir` writes to now: a limit at it lets the spool grow no more. */
export function currentSegmentSize(dataDir: string): number {
  const spool = join(dataDir, 'spool')
  const last = readdirSync(spool)
    .filter((f) => f.endsWith('.seg'))
    .sort()
    .pop()!
  return statSync(join(spool, last)).size
}
