import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../../test/helpers/collector'
import { eventually } from '../../../../test/helpers/http'
import { fileVersion, watchVersions } from './file-versions'

/** watchVersions on real files, polled every 50 ms. */
const stops: Array<() => void> = []
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
})
function watched(settleMs: number) {
  const file = join(tempDir(), 'watched.json')
  writeFileSync(file, '{"v":1}')
  const version = fileVersion(file)
  const changes: number[] = []
  const start = () =>
    stops.push(watchVersions(file, version, { pollMs: 50, settleMs }, () => changes.push(Date.now())))
  return { file, version, changes, start }
}

/** Waits for the first change handed on, then a while more: there is one, and nothing more while the file stays. */
async function changedOnce(changes: number[]) {
  await eventually(
    async () => changes.length,
    (n) => n > 0,
    5000,
  )
  await sleep(300)
  expect(changes).toHaveLength(1)
}

describe('watchVersions', () => {
  it('sees a change made after the file was read and before watching began (a rename over it)', async () => {
    const { file, changes, start } = watched(0)
    writeFileSync(`${file}.new`, '{"v":2}')
    renameSync(`${file}.new`, file)
    start()
    await changedOnce(changes)
  })

  it('waits for a file being written in place to be still for settleMs, then hands the change on once', async () => {
    const { file, changes, start } = watched(1000)
    start()
    let lastWrite = Date.now()
    for (let i = 0; i < 6; i++) {
      writeFileSync(file, `{"v":${i + 2},"pad":"${'x'.repeat(i * 10)}"}`)
      lastWrite = Date.now()
      await sleep(100)
    }
    await changedOnce(changes)
    expect(changes[0]! - lastWrite).toBeGreaterThanOrEqual(1000)
  })

  it('calls nothing for a file that does not change, and sees one that goes missing', async () => {
    const { file, version, changes, start } = watched(0)
    start()
    await sleep(300)
    expect(changes).toHaveLength(0)
    expect(fileVersion(file)).toBe(version)
    renameSync(file, `${file}.gone`)
    await eventually(
      async () => changes.length,
      (n) => n > 0,
      5000,
    )
    expect(changes).toHaveLength(1)
    expect(fileVersion(file)).toBe('missing')
  })
})
