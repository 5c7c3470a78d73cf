import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CollectorProcess, freePort, runCli, tempDir } from './helpers/collector'

/**
 * The CLI on the data directory of a collector started on another PORT: the collector writes where it listens into
 * the directory, and the CLI asks it there, since the embedded ClickHouse is locked to the collector's process.
 */
describe('the CLI and a collector running on its data directory', () => {
  it('asks the collector where it listens, and opens the directory itself once it is gone', async () => {
    const dir = tempDir()
    const env = { TOUCHPOINT_DATA_DIR: dir }
    const collector = new CollectorProcess(dir, await freePort())
    await collector.start()
    const address = JSON.parse(readFileSync(join(dir, 'collector.json'), 'utf8'))
    expect(address).toEqual({ url: collector.url, pid: expect.any(Number) })
    const asked = await runCli(['sql', 'SELECT count() AS n FROM events', '--json'], env)
    expect(asked).toMatchObject({ code: 0 })
    // a command that must open the directory itself says who holds it
    const migrate = await runCli(['migrate'], env)
    expect(migrate.code).toBe(1)
    expect(migrate.stderr).toContain('the embedded ClickHouse is open in another process')

    // stopped, it takes its address away; killed, it cannot, and the CLI sees that its process is gone
    await collector.stop('SIGTERM')
    expect(existsSync(join(dir, 'collector.json'))).toBe(false)
    await collector.start()
    await collector.stop('SIGKILL')
    expect(existsSync(join(dir, 'collector.json'))).toBe(true)
    // it asks no other collector (one on 8080, or on the port it had), which would answer over other data
    const opened = await runCli(['sql', 'SELECT 41 + 1 AS n', '--json'], env)
    expect(opened).toMatchObject({ code: 0, stderr: '' })
    expect(opened.stdout).toContain('42')
    const status = await runCli(['status'], env)
    expect(status.code).toBe(2)
    const { pid } = JSON.parse(readFileSync(join(dir, 'collector.json'), 'utf8'))
    expect(status.stdout).toContain(`the collector on ${dir} (process ${pid}) is no longer running`)
  })
})
