import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadCliConfig } from './config'

describe('where the CLI finds the collector', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  /** A data directory whose collector wrote that it listens at url, as the process pid. */
  const dataDir = (written?: { url: string; pid: number }) => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-cli-config-'))
    dirs.push(dir)
    if (written) writeFileSync(join(dir, 'collector.json'), JSON.stringify(written))
    return dir
  }
  // a process that has ended: its pid is no longer anyone's (for as long as the test runs, in practice)
  const ended = spawnSync(process.execPath, ['-e', '0']).pid
  const where = (env: Record<string, string>) => {
    const c = loadCliConfig(env)
    return { url: c.collectorUrl, gone: c.collectorGone }
  }

  it('asks the collector running on the data directory where it wrote it listens, and 8080 without one', () => {
    const running = dataDir({ url: 'http://127.0.0.1:40123', pid: process.pid })
    expect(where({ TOUCHPOINT_DATA_DIR: running })).toEqual({
      url: 'http://127.0.0.1:40123',
      gone: undefined,
    })
    expect(where({ TOUCHPOINT_DATA_DIR: dataDir() })).toEqual({
      url: 'http://127.0.0.1:8080',
      gone: undefined,
    })
  })

  it('knows a killed collector is gone, and asks no other collector about its data directory', () => {
    const killed = dataDir({ url: 'http://127.0.0.1:40124', pid: ended })
    expect(where({ TOUCHPOINT_DATA_DIR: killed })).toEqual({
      url: 'http://127.0.0.1:40124',
      gone: { pid: ended },
    })
  })

  it('takes TOUCHPOINT_URL and PORT over the data directory', () => {
    const killed = dataDir({ url: 'http://127.0.0.1:40125', pid: ended })
    expect(where({ TOUCHPOINT_DATA_DIR: killed, PORT: '8090' })).toEqual({
      url: 'http://127.0.0.1:8090',
      gone: undefined,
    })
    expect(where({ TOUCHPOINT_DATA_DIR: killed, TOUCHPOINT_URL: 'https://collect.example.com' })).toEqual({
      url: 'https://collect.example.com',
      gone: undefined,
    })
  })
})
