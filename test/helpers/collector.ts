import { type ChildProcess, type ExecFileException, execFile, spawn } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { constants, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createEmailTracker } from '@touchpoint/node'

export const ROOT = resolve(import.meta.dirname, '../..')
/** The CLI's entry in a checkout (tests run it from source, through tsx). */
const binOf = (root: string) => join(root, 'packages/cli/src/bin.ts')

export function tempDir(prefix = 'tp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolvePort(port))
    })
    srv.on('error', reject)
  })
}

export interface Keys {
  writeKey: string
  secretKey: string
  adminKey: string
}

export function keysIn(dataDir: string): Keys {
  const file = JSON.parse(readFileSync(join(dataDir, 'touchpoint.json'), 'utf8'))
  return {
    writeKey: file.projects[0].writeKey,
    secretKey: file.projects[0].secretKey,
    adminKey: file.adminKey,
  }
}

/**
 * `n` signed email URLs of the data directory's first project for `baseUrl`: an open pixel for each even i and a
 * click for each odd one, each to recipient `r-<i>` of campaign `campaign`, sent an hour ago (so that no open is
 * taken for a machine's by its timing).
 */
export function emailUrls(dataDir: string, baseUrl: string, campaign: string, n: number): string[] {
  const project = JSON.parse(readFileSync(join(dataDir, 'touchpoint.json'), 'utf8')).projects[0]
  const tracker = createEmailTracker({ baseUrl, projectId: project.id, keys: project.email.keys })
  const sentAt = new Date(Date.now() - 3_600_000)
  return Array.from({ length: n }, (_, i) => {
    const message = { campaignId: campaign, messageId: `${campaign}-${i}`, recipient: `r-${i}`, sentAt }
    return i % 2 ? tracker.linkUrl('https://shop.example/', message) : tracker.pixelUrl(message)
  })
}

/** A Touchpoint service started as a real process (`touchpoint start` or `ingest`), so tests can kill it. */
export class ServiceProcess {
  child: ChildProcess | undefined
  output = ''
  constructor(
    readonly command: 'start' | 'ingest',
    readonly dataDir: string,
    readonly port: number,
    readonly env: Record<string, string> = {},
    /** the checkout whose CLI runs (the benchmarks compare another one with this) */
    readonly root = ROOT,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    // a second start would leave the first process running with nothing to stop it: a test's mistake
    const running = this.child
    if (running && running.exitCode === null && running.signalCode === null)
      throw new Error(`${this.command} is running already (pid ${running.pid}): stop it first`)
    this.output = ''
    // node itself (not the tsx wrapper, which would run the collector in a child): kill must hit the collector
    const child = spawn(process.execPath, ['--import', 'tsx', binOf(this.root), this.command], {
      cwd: this.root,
      env: {
        ...process.env,
        TOUCHPOINT_DATA_DIR: this.dataDir,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    // each run's output is also appended to the data directory's log, which outlives restarts and the test
    const logFile = join(this.dataDir, `${this.command}.log`)
    mkdirSync(this.dataDir, { recursive: true })
    appendFileSync(logFile, `--- ${new Date().toISOString()} pid ${child.pid}\n`)
    const keep = (d: Buffer) => {
      this.output += d
      try {
        appendFileSync(logFile, d)
      } catch {
        // a full disk (the disk-full test fills it): the output is kept in memory all the same
      }
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`${this.command} exited with ${child.exitCode}:\n${this.output}`)
      try {
        const res = await fetch(`${this.url}/healthz`)
        const { pid } = (await res.json()) as { pid?: number }
        if (pid !== child.pid) throw new Error(`another process (pid ${pid}) answers on port ${this.port}`)
        // an ingester answers while it waits for Kafka: it has started once it has joined (an older one has no /readyz)
        if (res.ok && (this.command === 'start' || (await this.joined()))) return
      } catch (err) {
        if ((err as Error).message.startsWith('another process')) throw err
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`${this.command} did not start:\n${this.output}`)
  }

  /** An ingester's /readyz: whether it has joined its group (true for one without the route). */
  private async joined(): Promise<boolean> {
    const res = await fetch(`${this.url}/readyz`)
    return res.status === 200 || res.status === 404
  }

  /**
   * The last `lines` lines of what every run of the process printed, without kafkajs's refused connections (a
   * stopped broker fills pages with them): what a failed fault test shows.
   */
  logTail(lines = 40): string {
    const file = join(this.dataDir, `${this.command}.log`)
    const kept = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => !l.includes('ECONNREFUSED'))
    return kept.slice(-lines).join('\n')
  }

  /** Resolves with the exit code (or signal) once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<number | string | null> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve(child?.exitCode ?? null)
    return new Promise((res) => {
      child.once('exit', (code, sig) => res(code ?? sig))
      child.kill(signal)
    })
  }
}

/** The collector (`touchpoint start`): embedded, or producing to Kafka when KAFKA_BROKERS is in `env`. */
export class CollectorProcess extends ServiceProcess {
  constructor(dataDir: string, port: number, env: Record<string, string> = {}, root = ROOT) {
    super('start', dataDir, port, env, root)
  }
}

/**
 * A child's exit code as a shell gives it: a process killed by a signal reads 128 + the signal's number (139 for
 * SIGSEGV), where execFile's error has no code; this read 1 for a crash, as if the command had failed cleanly.
 */
function exitCodeOf(err: ExecFileException | null): number {
  if (!err) return 0
  if (typeof err.code === 'number') return err.code
  return err.signal ? 128 + (constants.signals[err.signal] ?? 0) : 1
}

/** Runs the real CLI (`touchpoint …args`) as a user would: its exit code (exitCodeOf) and output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  maxBuffer = 1024 * 1024,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', binOf(ROOT), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer },
      (err, stdout, stderr) => resolve({ code: exitCodeOf(err), stdout, stderr }),
    )
  })
}

/**
 * Runs the real CLI with nobody reading its output: the pipe's reading end is closed before its first write, as
 * `touchpoint … | head` closes it once it has its lines. Its exit code and what it said on stderr.
 */
export function runCliUnread(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', binOf(ROOT), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.destroy()
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stderr })))
}

/** The same, resolving with stdout; rejects with stderr on a non-zero exit. */
export async function cli(args: string[], env: Record<string, string>, maxBuffer?: number): Promise<string> {
  const run = await runCli(args, env, maxBuffer)
  if (run.code !== 0) throw new Error(`touchpoint ${args.join(' ')} exited with ${run.code}\n${run.stderr}`)
  return run.stdout
}

/**
 * Read-only SQL on an embedded data directory that no process holds, through the real CLI
 * (`touchpoint sql --json`), which opens the directory itself when no collector answers. Without the result
 * bounds (SQL_MAX_RESULT_*): the load tests read back every id they stored, past 100,000 rows.
 */
export async function embeddedSql<T = Record<string, unknown>>(dataDir: string, query: string): Promise<T[]> {
  const deadPort = await freePort()
  const env = {
    TOUCHPOINT_DATA_DIR: dataDir,
    TOUCHPOINT_URL: `http://127.0.0.1:${deadPort}`,
    SQL_MAX_RESULT_ROWS: '0',
    SQL_MAX_RESULT_BYTES: '0',
  }
  return JSON.parse(await cli(['sql', '--json', query], env, 256 * 1024 * 1024)) as T[]
}
