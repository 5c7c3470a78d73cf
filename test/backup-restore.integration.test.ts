import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CollectorProcess, freePort, keysIn, runCli, tempDir } from './helpers/collector'
import { basic, CHROME_UA, eventually, post, sql } from './helpers/http'

/**
 * `touchpoint backup` and `touchpoint restore` with real processes: a backup made by a running collector while
 * it takes events, restored by the CLI into a fresh data directory, and a collector started on that directory
 * answers as the first did: the same rows in every table, and the session parts rebuilt from the events.
 */
const TABLE_FINGERPRINTS = {
  events:
    'SELECT count() AS n, sum(cityHash64(message_id, event, user_id, timestamp, properties)) AS h FROM events',
  events_rejected: 'SELECT count() AS n, sum(cityHash64(error_code, reason, raw)) AS h FROM events_rejected',
  identities: 'SELECT count() AS n, sum(cityHash64(anonymous_id, user_id)) AS h FROM identities',
  session_parts: 'SELECT count() AS n, 0 AS h FROM session_parts',
  ad_spend: 'SELECT count() AS n, sum(cityHash64(day, source, cost)) AS h FROM ad_spend FINAL',
  erasures: 'SELECT count() AS n, sum(cityHash64(project_id, id_hash, erased_at)) AS h FROM erasures',
}

async function fingerprints(url: string, adminKey: string) {
  const out: Record<string, unknown> = {}
  for (const [table, query] of Object.entries(TABLE_FINGERPRINTS))
    out[table] = (await sql(url, adminKey, query))[0]
  return out
}

describe('backup and restore', () => {
  it('copies a running collector’s tables, and a fresh data directory restored from them answers the same', async () => {
    const dir = tempDir()
    const first = new CollectorProcess(dir, await freePort())
    await first.start()
    const keys = keysIn(dir)
    const send = (body: object) =>
      post(`${first.url}/v1/batch`, body, { authorization: basic(keys.writeKey), 'user-agent': CHROME_UA })
    const batch = Array.from({ length: 40 }, (_, i) => ({
      type: i % 4 === 0 ? 'page' : 'track',
      event: `Step ${i % 3}`,
      anonymousId: `a-${i % 7}`,
      messageId: `m-${i}`,
      properties: { url: `https://shop.example/p/${i}?utm_source=news`, n: i },
      context: { sessionId: `s-${i % 7}` },
    }))
    expect((await send({ batch })).status).toBe(200)
    expect(
      (await send({ batch: [{ type: 'identify', anonymousId: 'a-1', userId: 'u-1', messageId: 'id-1' }] }))
        .status,
    ).toBe(200)
    expect((await send({ batch: [{ type: 'track', anonymousId: 'a-2' }] })).status).toBe(200) // refused: no event
    // a day's ad spend sent twice: two rows until a merge keeps the later
    for (const cost of [10, 12.5]) {
      const spend = await post(
        `${first.url}/api/ad-spend`,
        {
          project: 'dev',
          rows: [{ day: '2026-12-01', source: 'news', medium: 'email', cost, currency: 'EUR' }],
        },
        { authorization: `Bearer ${keys.adminKey}` },
      )
      expect(spend.status).toBe(200)
    }
    // an erasure's ledger row: a restored store must still leave out what a re-read brings of the person
    const erased = await post(
      `${first.url}/api/forget`,
      { project: 'dev', userId: 'erased-before-the-backup' },
      { authorization: `Bearer ${keys.adminKey}` },
    )
    expect(erased.status).toBe(200)
    await eventually(
      () =>
        sql(
          first.url,
          keys.adminKey,
          // the refused call too: a load inserts it after the events, so the events alone can be in first
          `SELECT (SELECT count() FROM events) AS e, (SELECT count() FROM identities) AS i,
            (SELECT count() FROM events_rejected) AS r`,
        ),
      (rows) => rows[0]?.e === 41 && rows[0]?.i === 1 && rows[0]?.r === 1,
    )
    const before = await fingerprints(first.url, keys.adminKey)

    // made by the running collector, which holds the engine
    const backup = await runCli(['backup', '--name', 'nightly'], {
      TOUCHPOINT_DATA_DIR: dir,
      PORT: String(first.port),
    })
    expect(backup).toMatchObject({ code: 0, stderr: '' })
    const backupDir = join(dir, 'backups', 'nightly')
    expect(backup.stdout).toContain(`Backup in ${backupDir}`)
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'))
    // every person's data: for the collector's user alone
    expect(statSync(backupDir).mode & 0o777).toBe(0o700)
    for (const file of readdirSync(backupDir))
      expect(statSync(join(backupDir, file)).mode & 0o777).toBe(0o600)
    expect(
      Object.fromEntries(manifest.tables.map((t: { table: string; rows: number }) => [t.table, t.rows])),
    ).toMatchObject({ events: 41, events_rejected: 1, identities: 1, erasures: 1 })
    // a second backup of the same name is refused, not mixed into the first
    const again = await runCli(['backup', '--name', 'nightly'], {
      TOUCHPOINT_DATA_DIR: dir,
      PORT: String(first.port),
    })
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('holds a backup already') })
    // the collector goes on taking events while and after it backs up
    expect(
      (await send({ batch: [{ type: 'track', event: 'After', anonymousId: 'a-9', messageId: 'after-1' }] }))
        .status,
    ).toBe(200)
    await first.stop('SIGTERM')

    // a damaged copy is found before anything is loaded
    const damaged = tempDir()
    cpSync(backupDir, damaged, { recursive: true })
    const events = join(damaged, 'events.native.gz')
    writeFileSync(events, readFileSync(events).subarray(0, 2000))
    const refused = await runCli(['restore', damaged], { TOUCHPOINT_DATA_DIR: join(damaged, 'data') })
    expect(refused.code).toBe(1)
    const loaded = await runCli(['sql', 'SELECT count() AS n FROM events', '--json'], {
      TOUCHPOINT_DATA_DIR: join(damaged, 'data'),
    })
    expect(JSON.parse(loaded.stdout)).toEqual([{ n: 0 }])

    // a directory that holds no backup is told before a data directory is made for it
    const nowhere = join(tempDir(), 'data')
    const missing = await runCli(['restore', join(dir, 'no-such-backup')], { TOUCHPOINT_DATA_DIR: nowhere })
    expect(missing).toMatchObject({
      code: 1,
      stderr: `touchpoint: ${join(dir, 'no-such-backup')}: no manifest.json, so no finished backup\n`,
    })
    expect(existsSync(nowhere)).toBe(false)

    // restored into a fresh directory by the CLI, then served by a collector of its own
    const fresh = tempDir()
    const restored = await runCli(['restore', backupDir], { TOUCHPOINT_DATA_DIR: fresh })
    expect(restored).toMatchObject({ code: 0, stderr: '' })
    expect(restored.stdout).toContain('events           41 rows')
    const again2 = await runCli(['restore', backupDir], { TOUCHPOINT_DATA_DIR: fresh })
    expect(again2).toMatchObject({ code: 1, stderr: expect.stringContaining('events holds 41 rows already') })
    const second = new CollectorProcess(fresh, await freePort(), {
      TOUCHPOINT_CONFIG: join(dir, 'touchpoint.json'),
    })
    await second.start()
    try {
      expect(await fingerprints(second.url, keys.adminKey)).toEqual(before)
      const profile = await post(
        `${second.url}/api/profile`,
        { project: 'dev', person: 'u-1' },
        {
          authorization: `Bearer ${keys.adminKey}`,
        },
      )
      expect(profile.status).toBe(200)
      expect(profile.body.anonymousIds).toEqual(['a-1'])
    } finally {
      await second.stop('SIGTERM')
    }
  })
})
