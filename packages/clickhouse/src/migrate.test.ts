import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/helpers/http'
import { insertJsonEachRow } from './insert'
import { migrate } from './migrate'
import { TABLES } from './tables'
import { useEmbeddedClickHouse } from './testing'

const db = useEmbeddedClickHouse('tp-migrate-', { migrated: false })

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

/** One insert of event rows (JSON lines), with its own insert token. */
const insertEvents = (token: string, ...lines: string[]) =>
  insertJsonEachRow(db.ch, TABLES.events, `${lines.join('\n')}\n`, token)

async function rows<T>(query: string): Promise<T[]> {
  return (await db.ch.client.query({ query, format: 'JSONEachRow' })).json<T>()
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
    const before = await migrate(db.ch, { target: 3 })
    expect(before.applied.map((m) => m.version)).toEqual([1, 2, 3])
    await insertEvents(
      'before-upgrade',
      row('00000000-0000-0000-0000-000000000001', 'a-1', 'u-1', 's-1'),
      row('00000000-0000-0000-0000-000000000002', 'a-2', '', ''),
    )

    const upgrade = await migrate(db.ch, { target: 4 })
    expect(upgrade.applied).toEqual([{ version: 4, name: 'events-id-hashes' }])
    await insertEvents('after-upgrade', row('00000000-0000-0000-0000-000000000003', '', 'u-3', 's-3'))

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

  it('leaves the hashes out of SELECT *', async () => {
    const [first] = await rows<Record<string, unknown>>(`SELECT * FROM ${TABLES.events} LIMIT 1`)
    expect(Object.keys(first ?? {}).filter((k) => k.endsWith('_hash'))).toEqual([])
  })
})

describe('upgrading to session parts', () => {
  const event = (id: string, session: string, at: string, channel: string, bot = 0) =>
    JSON.stringify({
      ...JSON.parse(row(id, 'a-9', '', session)),
      timestamp: at,
      received_at: at,
      channel,
      is_bot: bot,
    })
  /** Each session part's first event (its rows merged as a reader merges them), and how many rows it has. */
  const firstEvents = () =>
    rows<{ session: string; day: string; at: string; channel: string; rows: string }>(
      `SELECT s.id AS session, toString(day) AS day, toString(min(first).1) AS at, min(first).2 AS channel,
         toString(count()) AS rows
       FROM ${TABLES.sessionParts}
       JOIN (SELECT arrayJoin(['s-1', 's-2', 's-3']) AS id) AS s ON cityHash64(s.id) = session_id_hash
       GROUP BY s.id, day ORDER BY s.id, day`,
    )

  it('keeps the first event of each part of the sessions stored before it and inserted after it', async () => {
    expect((await migrate(db.ch, { target: 5 })).applied).toEqual([{ version: 5, name: 'session-parts' }])
    // s-1's and s-3's events were stored before the upgrade (above); s-2's go through the view
    await insertEvents(
      'after-session-parts',
      event('00000000-0000-0000-0000-000000000011', 's-2', '2026-03-02T10:05:00.000Z', 'Paid Search'),
      event('00000000-0000-0000-0000-000000000012', 's-2', '2026-03-02T10:00:00.000Z', 'Email'),
      // the session crosses midnight: the next day's events are a part of their own
      event('00000000-0000-0000-0000-000000000013', 's-2', '2026-03-03T00:01:00.000Z', 'Social'),
      // a bot's event is no part of a session, even an earlier one
      event('00000000-0000-0000-0000-000000000014', 's-2', '2026-03-02T09:00:00.000Z', 'Direct', 1),
    )
    // a later insert with an earlier event of the same part, and a retried event already kept
    await insertEvents(
      'later-session-parts',
      event('00000000-0000-0000-0000-000000000015', 's-2', '2026-03-02T09:59:00.000Z', 'Referral'),
      event('00000000-0000-0000-0000-000000000011', 's-2', '2026-03-02T10:05:00.000Z', 'Paid Search'),
    )
    const stored = (await firstEvents()).map(({ rows: _, ...part }) => part)
    expect(stored).toEqual([
      { session: 's-1', day: '2026-03-01', at: '2026-03-01 00:00:00.000', channel: '' },
      { session: 's-2', day: '2026-03-02', at: '2026-03-02 09:59:00.000', channel: 'Referral' },
      { session: 's-2', day: '2026-03-03', at: '2026-03-03 00:01:00.000', channel: 'Social' },
      { session: 's-3', day: '2026-03-01', at: '2026-03-01 00:00:00.000', channel: '' },
    ])
  })

  it('merges a part’s rows into one as ClickHouse merges its parts, and applies nothing twice', async () => {
    await db.ch.client.command({ query: `OPTIMIZE TABLE ${TABLES.sessionParts} FINAL` })
    const merged = await firstEvents()
    expect(merged.map((p) => [p.session, p.day, p.channel, p.rows])).toEqual([
      ['s-1', '2026-03-01', '', '1'],
      ['s-2', '2026-03-02', 'Referral', '1'],
      ['s-2', '2026-03-03', 'Social', '1'],
      ['s-3', '2026-03-01', '', '1'],
    ])
    expect((await migrate(db.ch, { target: 5 })).applied).toEqual([])
  })
})

describe('upgrading path to LowCardinality', () => {
  const paged = (id: string, path: string) => JSON.stringify({ ...JSON.parse(row(id, 'a-7', '', '')), path })
  const paths = () =>
    rows<{ event_id: string; path: string }>(
      `SELECT toString(event_id) AS event_id, path FROM ${TABLES.events} WHERE path != '' ORDER BY event_id`,
    )
  const pathType = async () =>
    (
      await rows<{ type: string }>(
        `SELECT type FROM system.columns WHERE database = currentDatabase() AND table = '${TABLES.events}'
           AND name = 'path'`,
      )
    )[0]?.type

  it('keeps the paths stored before it, takes new ones, and filters on them alike', async () => {
    await insertEvents(
      'paths-before',
      paged('00000000-0000-0000-0000-000000000061', '/pricing'),
      paged('00000000-0000-0000-0000-000000000062', '/blog/é?'),
    )
    expect(await pathType()).toBe('String')
    expect((await migrate(db.ch, { target: 6 })).applied).toEqual([
      { version: 6, name: 'events-path-low-cardinality' },
    ])
    expect(await pathType()).toBe('LowCardinality(String)')
    await insertEvents('paths-after', paged('00000000-0000-0000-0000-000000000063', '/pricing'))
    expect(await paths()).toEqual([
      { event_id: '00000000-0000-0000-0000-000000000061', path: '/pricing' },
      { event_id: '00000000-0000-0000-0000-000000000062', path: '/blog/é?' },
      { event_id: '00000000-0000-0000-0000-000000000063', path: '/pricing' },
    ])
    const [pricing] = await rows<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${TABLES.events} WHERE path = '/pricing'`,
    )
    expect(pricing?.n).toBe('2')
    expect((await migrate(db.ch, { target: 6 })).applied).toEqual([])
  })

  it('redacts the keys that refused bodies stored before it, and nothing else', async () => {
    const refused = (n: number, raw: string) =>
      JSON.stringify({
        rejected_id: `00000000-0000-0000-0000-00000000007${n}`,
        project_id: 'p',
        received_at: '2026-03-01T00:00:00.000Z',
        route: '/v1/track',
        error_code: 'TP_ERR_VALIDATION',
        raw,
      })
    const raws = [
      '{"writeKey":"sk_secret_0123456789","anonymousId":"a"}',
      '{"batch":[{"writeKey": "sk_secret_0123456789"}],"writeKey":"sk_secret_0123456789"}',
      '{"writeKey": "sk_secret_01234',
      '{"note":"\\"writeKey\\" is a field","event":"Kept"}',
      '{"event":"Nothing to redact"}',
    ]
    await insertJsonEachRow(
      db.ch,
      TABLES.rejected,
      `${raws.map((r, i) => refused(i, r)).join('\n')}\n`,
      'refused',
    )
    expect((await migrate(db.ch, { target: 7 })).applied).toEqual([
      { version: 7, name: 'events-rejected-body-keys' },
    ])
    const stored = await rows<{ raw: string }>(`SELECT raw FROM ${TABLES.rejected} ORDER BY rejected_id`)
    expect(stored.map((r) => r.raw)).toEqual([
      '{"writeKey":"[redacted]","anonymousId":"a"}',
      '{"batch":[{"writeKey":"[redacted]"}],"writeKey":"[redacted]"}',
      '{"writeKey":"[redacted]"',
      raws[3],
      raws[4],
    ])
  })
})

describe('upgrading to session parts that put Direct last at a tie', () => {
  const tie = (id: string, session: string, channel: string) =>
    JSON.stringify({
      ...JSON.parse(row(id, 'a-tie', '', session)),
      timestamp: '2026-03-04T12:00:00.000Z',
      received_at: '2026-03-04T12:00:00.000Z',
      channel,
    })
  const firstChannels = () =>
    rows<{ session: string; channel: string; at: string }>(
      `SELECT s.id AS session, min(first).2 AS channel, toString(min(first).1) AS at FROM ${TABLES.sessionParts}
       JOIN (SELECT arrayJoin(['t-before', 't-after', 't-direct']) AS id) AS s ON cityHash64(s.id) = session_id_hash
       GROUP BY s.id ORDER BY s.id`,
    )

  it('picks an event that names a source over a Direct one of the same millisecond, from the upgrade on', async () => {
    // a page view from a newsletter and an order without a page, received together: the same time
    await insertEvents(
      'tie-before',
      tie('00000000-0000-0000-0000-000000000021', 't-before', 'Email'),
      tie('00000000-0000-0000-0000-000000000022', 't-before', 'Direct'),
    )
    expect((await migrate(db.ch, { target: 8 })).applied).toEqual([
      { version: 8, name: 'session-parts-direct-last' },
    ])
    await insertEvents(
      'tie-after',
      tie('00000000-0000-0000-0000-000000000023', 't-after', 'Direct'),
      tie('00000000-0000-0000-0000-000000000024', 't-after', 'Email'),
      tie('00000000-0000-0000-0000-000000000025', 't-direct', 'Direct'),
    )
    expect(await firstChannels()).toEqual([
      // stored before: kept as it was, Direct by the tie's old rule (its name sorts first)
      { session: 't-after', channel: 'Email', at: '2026-03-04 12:00:00.000' },
      { session: 't-before', channel: 'Direct', at: '2026-03-04 12:00:00.000' },
      { session: 't-direct', channel: 'Direct', at: '2026-03-04 12:00:00.000' },
    ])
    expect((await migrate(db.ch, { target: 8 })).applied).toEqual([])
  })
})
