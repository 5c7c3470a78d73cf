import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, freePort, ROOT, runCli, tempDir } from './helpers/collector'

/**
 * What `pnpm start` (the quick start's) and `touchpoint start` say when they cannot start: one line naming the
 * cause and what to set, an exit code of 1, and nothing left holding the data directory.
 */
let taken: Server
let port: number

beforeAll(async () => {
  taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  port = (taken.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())))

/** `pnpm start`'s script, examples/website/dev.ts, as the quick start runs it. */
const devStart = (env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'examples/website/dev.ts')],
      { cwd: ROOT, env: { ...process.env, EXAMPLE_SITE_PORT: '0', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
    )
  })

describe('a start that cannot listen, or is misconfigured', () => {
  it('says which port is in use and what to set, and leaves the data directory for the next start', async () => {
    const dir = tempDir()
    const env = { TOUCHPOINT_DATA_DIR: dir, HOST: '127.0.0.1', PORT: String(port) }
    const inUse = `touchpoint: port ${port} is in use (127.0.0.1:${port}): another program, or another Touchpoint, listens there; stop it, or set PORT to another\n`
    expect(await runCli(['start'], env)).toMatchObject({ code: 1, stderr: inUse })
    expect(await devStart(env)).toMatchObject({ code: 1, stderr: inUse })
    // the same data directory, on a free port: the failed starts left nothing holding it
    const collector = new CollectorProcess(dir, await freePort())
    try {
      await collector.start()
      expect((await fetch(`${collector.url}/healthz`)).status).toBe(200)
    } finally {
      await collector.stop('SIGTERM')
    }
  })

  it("names the ClickHouse server it cannot reach in one line, with none of the client library's own log", async () => {
    const closed = await freePort()
    const r = await runCli(['start'], {
      TOUCHPOINT_DATA_DIR: tempDir(),
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      CLICKHOUSE_URL: `http://127.0.0.1:${closed}`,
    })
    expect(r).toMatchObject({
      code: 1,
      stderr: `touchpoint: ClickHouse server (CLICKHOUSE_URL): connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    })
  })

  it('names a bad variable in one line, with no stack trace', async () => {
    const bad = await devStart({ TOUCHPOINT_DATA_DIR: tempDir(), TRUST_PROXY: 'maybe' })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^touchpoint: environment variable TRUST_PROXY: "maybe" is not an address/)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })
})
