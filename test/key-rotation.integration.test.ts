import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, cli, freePort, type Keys, keysIn, tempDir } from './helpers/collector'
import { basic, eventually, post, sql } from './helpers/http'

/**
 * Keys rotate while the collector runs and traffic flows: `touchpoint keys rotate` adds a new key beside the
 * old, senders move over, `touchpoint keys retire` stops the old one. The collector reloads its projects file
 * by itself; no request of a sender using a valid key is ever refused.
 */
let collector: CollectorProcess
let dataDir: string
let keys: Keys

beforeAll(async () => {
  dataDir = tempDir('tp-keys-')
  collector = new CollectorProcess(dataDir, await freePort(), { LOG_LEVEL: 'info' })
  await collector.start()
  keys = keysIn(dataDir)
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

const keysCli = (...args: string[]) => cli(['keys', ...args, '--json'], { TOUCHPOINT_DATA_DIR: dataDir })
const track = (key: string, messageId: string) =>
  post(
    `${collector.url}/v1/track`,
    { event: 'Rotated', anonymousId: 'a-rot', messageId },
    { authorization: basic(key) },
  )
const sqlStatus = async (adminKey: string) =>
  (await post(`${collector.url}/api/sql`, { query: 'SELECT 1' }, { authorization: `Bearer ${adminKey}` }))
    .status

describe('key rotation without downtime', () => {
  it('moves senders to a new write key with every request accepted, then refuses the retired one', async () => {
    let key = keys.writeKey
    let sending = true
    const answers: Array<{ status: number; id: string }> = []
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const id = `rot-${i}`
        answers.push({ status: (await track(key, id)).status, id })
        await new Promise((r) => setTimeout(r, 10))
      }
    })()

    const { key: newKey } = JSON.parse(await keysCli('rotate', '--kind', 'write'))
    expect(newKey).toMatch(/^tpw_/)
    // the collector notices the file within a couple of seconds; until then the sender keeps the old key
    await eventually(
      () => track(newKey, `rot-probe-${Date.now()}`),
      (r) => r.status === 200,
    )
    expect((await track(keys.writeKey, 'rot-old-still')).status).toBe(200)
    key = newKey
    await new Promise((r) => setTimeout(r, 300))

    expect(JSON.parse(await keysCli('retire', '--kind', 'write'))).toMatchObject({ retired: 1 })
    await eventually(
      () => track(keys.writeKey, `rot-retired-${Date.now()}`),
      (r) => r.status === 401,
    )
    await new Promise((r) => setTimeout(r, 300))
    sending = false
    await sender

    expect(answers.length).toBeGreaterThan(20)
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    const [stored] = await eventually(
      () =>
        sql<{ n: number; ids: number }>(
          collector.url,
          keys.adminKey,
          `SELECT count() AS n, uniqExact(message_id) AS ids FROM events WHERE match(message_id, '^rot-[0-9]+$')`,
        ),
      (rows) => rows[0]!.n >= answers.length,
    )
    expect(stored).toEqual({ n: answers.length, ids: answers.length })
  })

  it('rotates the admin key the same way', async () => {
    const { key: newAdmin } = JSON.parse(await keysCli('rotate', '--kind', 'admin'))
    await eventually(
      () => sqlStatus(newAdmin),
      (s) => s === 200,
    )
    expect(await sqlStatus(keys.adminKey)).toBe(200)
    await keysCli('retire', '--kind', 'admin')
    await eventually(
      () => sqlStatus(keys.adminKey),
      (s) => s === 401,
    )
    expect(await sqlStatus(newAdmin)).toBe(200)
    keys.adminKey = newAdmin
  })

  it('keeps the keys in use when the edited file is broken, and takes the repaired one on SIGHUP', async () => {
    const path = join(dataDir, 'touchpoint.json')
    const good = readFileSync(path, 'utf8')
    const file = JSON.parse(good)
    const writeKey = file.projects[0].writeKey as string
    // two projects sharing a key: refused, naming the field
    file.projects.push({ ...file.projects[0], id: 'copy', secretKey: undefined, email: undefined })
    writeFileSync(path, JSON.stringify(file))
    await eventually(
      async () => collector.output,
      (out) => out.includes('projects file not reloaded'),
    )
    expect(collector.output).toContain('projects.1.writeKey: the same key is used twice')
    expect((await track(writeKey, 'rot-broken-file')).status).toBe(200)

    // repaired with a third project, then SIGHUP: its key works at once, no need to wait for the poll
    file.projects[1] = { id: 'third', writeKey: 'tpw_third_project_key' }
    writeFileSync(path, JSON.stringify(file))
    collector.child!.kill('SIGHUP')
    await eventually(
      () => track('tpw_third_project_key', `rot-third-${Date.now()}`),
      (r) => r.status === 200,
    )
    expect(collector.output).toContain('"why":"SIGHUP"')
    expect((await track(writeKey, 'rot-after-repair')).status).toBe(200)
    expect(collector.child!.exitCode).toBeNull()
    writeFileSync(path, good)
  })
})
