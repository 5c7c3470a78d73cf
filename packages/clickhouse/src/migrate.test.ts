import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../test/helpers/http'
import { type ClickHouse, createClickHouse } from './client'
import { insertJsonEachRow } from './insert'
import { migrate } from './migrate'
import { TABLES } from './tables'

let dir: string
let ch: ClickHouse
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-migrate-'))
  ch = await createClickHouse({ dataDir: dir })
})
afterAll(async () => {
  await ch?.close()
  rmSync(dir, { recursive: true, force: true })
})

const row = (id: string, anon: string, user: string, session: string) =>
  JSON.stringify({
    event_id: id,
    project_id: 'p',
    type: 'track',
    event: 'Tested',
    anonymous_id: anon,
    user_id: user,
    session_id: session,
    timestamp: '2026-03-01T00:00:00.000Z',
    received_at: '2026-03-01T00:00:00.000Z',
  })

async function rows<T>(query: string): Promise<T[]> {
  return (await ch.client.query({ query, format: 'JSONEachRow' })).json<T>()
}

/** Whether every stored hash equals cityHash64 of its id, and 0 for an empty id, row by row. */
const hashesHold = () =>
  rows<{ event_id: string; ok: number }>(
    `SELECT toString(event_id) AS event_id,
       anonymous_id_hash = if(anonymous_id = '', 0, cityHash64(anonymous_id))
       AND user_id_hash = if(user_id = '', 0, cityHash64(user_id))
       AND session_id_hash = if(session_id = '', 0, cityHash64(session_id)) AS ok
     FROM ${TABLES.events} ORDER BY event_id`,
  )

describe('upgrading a schema that has events', () => {
  it('adds the ids’ hashes to rows stored before the upgrade and to rows inserted after it', async () => {
    const before = await migrate(ch, { target: 3 })
    expect(before.applied.map((m) => m.version)).toEqual([1, 2, 3])
    await insertJsonEachRow(
      ch,
      TABLES.events,
      `${[
        row('00000000-0000-0000-0000-000000000001', 'a-1', 'u-1', 's-1'),
        row('00000000-0000-0000-0000-000000000002', 'a-2', '', ''),
      ].join('\n')}\n`,
      'before-upgrade',
    )

    const upgrade = await migrate(ch)
    expect(upgrade.applied).toEqual([{ version: 4, name: 'events-id-hashes' }])
    await insertJsonEachRow(
      ch,
      TABLES.events,
      `${row('00000000-0000-0000-0000-000000000003', '', 'u-3', 's-3')}\n`,
      'after-upgrade',
    )

    expect(await hashesHold()).toEqual([
      { event_id: '00000000-0000-0000-0000-000000000001', ok: 1 },
      { event_id: '00000000-0000-0000-0000-000000000002', ok: 1 },
      { event_id: '00000000-0000-0000-0000-000000000003', ok: 1 },
    ])
    const empty = await rows<{ user_id_hash: string; session_id_hash: string; anonymous_id_hash: string }>(
      `SELECT toString(user_id_hash) AS user_id_hash, toString(session_id_hash) AS session_id_hash,
         toString(anonymous_id_hash) AS anonymous_id_hash FROM ${TABLES.events}
       WHERE event_id = '00000000-0000-0000-0000-000000000002'`,
    )
    expect(empty).toEqual([
      { user_id_hash: '0', session_id_hash: '0', anonymous_id_hash: expect.not.stringMatching(/^0$/) },
    ])
  })

  it('writes the hashes into the parts stored before the upgrade, in the background', async () => {
    const [mutations] = await eventually(
      () =>
        rows<{ pending: string }>(
          `SELECT count() AS pending FROM system.mutations WHERE table = '${TABLES.events}' AND is_done = 0`,
        ),
      ([m]) => Number(m?.pending) === 0,
      30_000,
    )
    expect(Number(mutations?.pending)).toBe(0)
    const parts = await rows<{ part: string; hashes: string }>(
      `SELECT name AS part, toString(countIf(column LIKE '%\\_id\\_hash')) AS hashes
       FROM system.parts_columns WHERE table = '${TABLES.events}' AND active GROUP BY name`,
    )
    expect(parts.length).toBeGreaterThan(0)
    for (const p of parts) expect(p).toEqual({ part: p.part, hashes: '3' })
    expect(await hashesHold()).toHaveLength(3)
  })

  it('leaves the hashes out of SELECT *, and applies nothing twice', async () => {
    const [first] = await rows<Record<string, unknown>>(`SELECT * FROM ${TABLES.events} LIMIT 1`)
    expect(Object.keys(first ?? {}).filter((k) => k.endsWith('_hash'))).toEqual([])
    expect((await migrate(ch)).applied).toEqual([])
  })
})
