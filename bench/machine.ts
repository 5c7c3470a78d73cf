import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

/** What a run was measured on: figures only compare within one machine. */
export function machine() {
  const cpu = cpus()
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

/**
 * The checkout a run measured: its commit, with `-dirty` when tracked files other than bench/results.json (which
 * every run rewrites) differ from it. Figures only compare with a run of a known tree.
 */
export function checkout(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  try {
    const commit = git('rev-parse', '--short', 'HEAD')
    const changed = git(
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      ':/',
      ':(exclude,top)bench/results.json',
    )
    return changed ? `${commit}-dirty` : commit
  } catch {
    return 'unknown (not a git checkout)'
  }
}

/** The machine's CPU time counters from /proc/stat (Linux), in ticks; undefined where there is none. */
export function cpuTicks(): number[] | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
    return line.trim().split(/\s+/).slice(1).map(Number)
  } catch {
    return undefined
  }
}

/**
 * Shares of all cores' time between two cpuTicks() samples: idle (idle and iowait together) and steal, the time
 * the hypervisor gave to other guests while this VM had work. A run with much steal measured a slower machine.
 */
export function cpuShares(
  before: number[] | undefined,
  after: number[] | undefined,
): { idlePct: number; stealPct: number } | undefined {
  if (!before || !after) return undefined
  const d = after.map((v, i) => v - (before[i] ?? 0))
  const total = d.slice(0, 8).reduce((s, v) => s + v, 0)
  if (total <= 0) return undefined
  const share = (ticks: number) => Math.round((100 * ticks) / total)
  // user nice system idle iowait irq softirq steal
  return { idlePct: share((d[3] ?? 0) + (d[4] ?? 0)), stealPct: share(d[7] ?? 0) }
}

/**
 * Waits until the cores are quiet: at least `minIdlePct` of their time idle over one `windowMs`. A collector's
 * spool can be drained while ClickHouse still merges the parts the run inserted (a merge took a core for 2 s
 * after a batch run's drain, in a scratch run), and a run started then shares the cores with it, whichever side
 * it measures. Returns the milliseconds waited; gives up after `timeoutMs` (and on a machine without /proc/stat).
 */
export async function coresQuiet(windowMs = 1000, minIdlePct = 90, timeoutMs = 60_000): Promise<number> {
  const started = Date.now()
  for (;;) {
    const before = cpuTicks()
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const shares = cpuShares(before, cpuTicks())
    if (!shares || shares.idlePct >= minIdlePct || Date.now() - started >= timeoutMs)
      return Date.now() - started
  }
}
