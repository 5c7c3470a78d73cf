import { erasePerson, TABLES } from '@touchpoint/clickhouse'
import { describe, expect, it } from 'vitest'
import { useEmbeddedClickHouse } from '../../clickhouse/src/testing'
import { Loader } from './loader'
import { type LoadRecord, RECORD_KIND } from './record'

/**
 * The erasure ledger with the real engine: what a person's erasure removed stays out when the rows received before
 * it reach a loader again (a Kafka topic read again, a spool loaded after a crash), whichever loader it is.
 */
const db = useEmbeddedClickHouse('tp-erasure-ledger-')

const chTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23)
const BEFORE = Date.now() - 60_000
let n = 0
const eventId = () => `00000000-0000-8000-8000-${String(++n).padStart(12, '0')}`

const event = (
  who: { user_id?: string; anonymous_id?: string },
  receivedMs = BEFORE,
  dated?: { atMs: number; source: 'import' | 'server' },
): LoadRecord => {
  const id = eventId()
  const payload = JSON.stringify({
    event_id: id,
    project_id: 'p',
    type: 'track',
    event: 'Seen',
    // a property of the same name as a column, written into the row's properties, names nobody
    properties: JSON.stringify({ user_id: 'someone', source: 'import' }),
    source: dated?.source ?? 'server',
    ...who,
    timestamp: chTime(dated?.atMs ?? receivedMs),
    received_at: chTime(receivedMs),
  })
  return { kind: RECORD_KIND.event, id, payload }
}
/** A link as the collector sends it: its columns, and when the call that made it was received (null: not said) */
const link = (
  anonymous_id: string,
  user_id: string,
  linkedMs = BEFORE,
  receivedMs: number | null = BEFORE,
): LoadRecord => ({
  kind: RECORD_KIND.identity,
  id: '',
  payload: JSON.stringify({
    project_id: 'p',
    anonymous_id,
    user_id,
    linked_at: chTime(linkedMs),
    link_source: 'identify',
    ...(receivedMs !== null && { received_at: chTime(receivedMs) }),
  }),
})
const refused = (raw: object, receivedMs = BEFORE, source = 'server'): LoadRecord => {
  const id = eventId()
  const payload = JSON.stringify({
    rejected_id: id,
    project_id: 'p',
    received_at: chTime(receivedMs),
    source,
    error_code: 'TP_ERR_VALIDATION',
    raw: JSON.stringify(raw),
  })
  return { kind: RECORD_KIND.rejected, id, payload }
}
/** An event input as the embedded spool keeps it, and a builder that makes its row as the collector's does. */
const input = (
  userId: string,
  receivedAt = BEFORE,
  imported?: { atMs: number; source: 'import' },
): LoadRecord => {
  const id = eventId()
  const timestamp = imported && new Date(imported.atMs).toISOString()
  const payload = JSON.stringify({
    id,
    event: { type: 'track', event: 'Built', userId, timestamp, properties: { facts: { projectId: 'p' } } },
    facts: {
      projectId: 'p',
      trusted: true,
      source: imported ? 'import' : 'server',
      receivedAt,
      ip: '',
      sites: ['shop.example'],
    },
  })
  return { kind: RECORD_KIND.eventInput, id, payload }
}
const build = async (payloads: string[]) =>
  new TextEncoder().encode(
    payloads
      .map((p) => {
        const { id, event, facts } = JSON.parse(p)
        const at = chTime(facts.receivedAt)
        return JSON.stringify({
          event_id: id,
          project_id: facts.projectId,
          type: event.type,
          event: event.event,
          source: facts.source,
          user_id: event.userId,
          timestamp: event.timestamp ? chTime(Date.parse(event.timestamp)) : at,
          received_at: at,
        })
      })
      .join('\n'),
  )

const count = async (table: string, where: string) => {
  const rs = await db.ch.client.query({
    query: `SELECT count() AS n FROM ${table} WHERE ${where}`,
    format: 'JSONEachRow',
  })
  return Number((await rs.json<{ n: string }>())[0]!.n)
}
const personRows = () => count(TABLES.events, `user_id = 'gone' OR anonymous_id = 'gone-device'`)

describe('the erasure ledger', () => {
  // what the person sent before the erasure, loaded once; the same records reach a loader again afterwards
  const theirs = [
    event({ user_id: 'gone', anonymous_id: 'gone-device' }),
    event({ anonymous_id: 'gone-device' }),
    link('gone-device', 'gone'),
    refused({ userId: 'gone', event: 42 }),
    input('gone'),
  ]
  const others = () => [event({ user_id: 'stays' }), refused({ userId: 'stays' }), input('stays')]

  it('leaves out what was received before the erasure, in a loader that was running when it was made', async () => {
    // it reads the ledger at its start only, and has not loaded the person's records: Kafka's topic read again by
    // a new group, or a spool no loader had reached
    const running = new Loader(db.ch, { erasureRefreshMs: 3_600_000 })
    await running.warmUp()
    await new Loader(db.ch).load(theirs, 'first', build)
    expect(await personRows()).toBe(3)
    const erased = await erasePerson(db.ch, { project: 'p', userId: 'gone' })
    expect(erased.deleted).toMatchObject({ events: 3, identities: 1, rejected: 1 })
    const result = await running.load([...theirs, ...others()], 'again', build)
    expect(result).toMatchObject({ erased: 5, events: 2, rejected: 1, identities: 0 })
    expect(await personRows()).toBe(0)
    expect(await count(TABLES.identities, `user_id = 'gone'`)).toBe(0)
    expect(await count(TABLES.rejected, `position(raw, '"gone"') > 0`)).toBe(0)
    expect(await count(TABLES.events, `user_id = 'stays'`)).toBe(2)
  })

  it('leaves them out in a loader started after the erasure, which reads the ledger from ClickHouse', async () => {
    const started = new Loader(db.ch)
    await started.warmUp()
    expect(started.erasures.size).toBe(2)
    const result = await started.load(theirs, 'after a restart', build)
    expect(result.erased).toBe(5)
    expect(await personRows()).toBe(0)
  })

  it('keeps what the person sends after the erasure', async () => {
    const loader = new Loader(db.ch)
    await loader.warmUp()
    const later = Date.now() + 1000
    const result = await loader.load(
      [event({ user_id: 'gone' }, later), input('gone', later)],
      'a new visit',
      build,
    )
    expect(result).toMatchObject({ erased: 0, events: 2 })
    expect(await count(TABLES.events, `user_id = 'gone'`)).toBe(2)
  })

  it('leaves out a device that only calls still on their way linked to the person, and records it', async () => {
    // the erasure found 'gone-device' in what was stored; the tablet's identify was still in a spool: its
    // anonymous events, before and after the identify in the batch, are the person's too
    const loader = new Loader(db.ch)
    await loader.warmUp()
    const tablet = [
      event({ anonymous_id: 'tablet' }),
      input('gone'),
      link('tablet', 'gone'),
      event({ user_id: 'gone', anonymous_id: 'tablet' }),
      event({ anonymous_id: 'tablet' }),
    ]
    const result = await loader.load([...tablet, event({ anonymous_id: 'someone-else' })], 'tablet', build)
    expect(result).toMatchObject({ erased: 5, events: 1, identities: 0 })
    expect(await count(TABLES.events, `anonymous_id = 'tablet'`)).toBe(0)
    // recorded: a loader started afterwards leaves out the tablet's events received before the erasure
    const later = new Loader(db.ch)
    await later.warmUp()
    expect((await later.load([event({ anonymous_id: 'tablet' })], 'tablet later', build)).erased).toBe(1)
    // what the tablet sends after the erasure is kept, as the person's own is
    const after = await later.load(
      [event({ anonymous_id: 'tablet' }, Date.now() + 1000)],
      'tablet after',
      build,
    )
    expect(after).toMatchObject({ erased: 0, events: 1 })
  })

  it('judges a link by when it was received, not by the time its call names', async () => {
    const loader = new Loader(db.ch)
    await loader.warmUp()
    const later = Date.now() + 1000
    const result = await loader.load(
      [
        // the person back after the erasure, through a server that back-dates its calls: theirs again
        link('new-phone', 'gone', BEFORE, later),
        // received before the erasure, its call dated after it (a clock ahead): the person's
        link('old-watch', 'gone', later, BEFORE),
        // a link sent before links carried their receive time: judged by the time its call names
        link('old-tv', 'gone', BEFORE, null),
      ],
      'links',
      build,
    )
    expect(result).toMatchObject({ erased: 2, identities: 1 })
    const rs = await db.ch.client.query({
      query: `SELECT anonymous_id FROM ${TABLES.identities} WHERE user_id = 'gone'`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([{ anonymous_id: 'new-phone' }])
  })

  it('judges an import by the time it names: the history of an erased person stays out, what came after is kept', async () => {
    const loader = new Loader(db.ch)
    await loader.warmUp()
    // `touchpoint import` of a file written before the erasure, run after it: received now, about the past
    const now = Date.now() + 1000
    const past = { atMs: BEFORE, source: 'import' } as const
    const after = { atMs: now, source: 'import' } as const
    const result = await loader.load(
      [
        event({ user_id: 'gone', anonymous_id: 'import-past' }, now, past),
        input('gone', now, past),
        link('import-device', 'gone', BEFORE, null),
        event({ user_id: 'gone', anonymous_id: 'import-after' }, now, after),
        input('gone', now, after),
        link('import-device-later', 'gone', now, null),
        // a server's call received now and dated before the erasure is the person's after it, as before
        event({ user_id: 'gone', anonymous_id: 'server-dated' }, now, { atMs: BEFORE, source: 'server' }),
        // an import's refusals: by the time the call names, or, naming none that can be read, as long ago
        refused({ userId: 'gone', timestamp: new Date(BEFORE).toISOString(), n: 1 }, now, 'import'),
        refused({ userId: 'gone', timestamp: 'last tuesday', n: 2 }, now, 'import'),
        refused({ userId: 'gone', timestamp: new Date(now).toISOString(), n: 3 }, now, 'import'),
      ],
      'an import',
      build,
    )
    expect(result).toMatchObject({ erased: 5, events: 3, identities: 1, rejected: 1 })
    expect(await count(TABLES.rejected, `source = 'import' AND position(raw, '"n":3') > 0`)).toBe(1)
    expect(await count(TABLES.events, `user_id = 'gone' AND source = 'import'`)).toBe(2)
    expect(
      await count(TABLES.events, `source = 'import' AND toUnixTimestamp64Milli(timestamp) <= ${BEFORE}`),
    ).toBe(0)
    expect(await count(TABLES.events, `anonymous_id IN ('import-after', 'server-dated')`)).toBe(2)
    const rs = await db.ch.client.query({
      query: `SELECT anonymous_id FROM ${TABLES.identities} WHERE anonymous_id LIKE 'import-device%'`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([{ anonymous_id: 'import-device-later' }])
  })

  it("reads the whole ledger again only for another process's rows, not for its own process's", async () => {
    const loader = new Loader(db.ch, { erasureRefreshMs: 0 })
    await loader.warmUp()
    expect(loader.erasures.fullReads).toBe(1)
    await erasePerson(db.ch, { project: 'p', userId: 'own-process' })
    const own = await loader.load([event({ user_id: 'own-process' })], 'own', build)
    expect(own.erased).toBe(1)
    expect(loader.erasures.fullReads).toBe(1)
    // another process's row, with one of this process's: the count moved by more than its own
    await db.ch.client.command({
      query: `INSERT INTO ${TABLES.erasures} SELECT 'p', lower(hex(SHA256('p\\nsomeone-else'))), now64(3)`,
    })
    await erasePerson(db.ch, { project: 'p', userId: 'own-again' })
    await loader.load([event({ user_id: 'stays' })], 'others', build)
    expect(loader.erasures.fullReads).toBe(2)
    expect((await loader.load([event({ user_id: 'someone-else' })], 'theirs', build)).erased).toBe(1)
  })

  it("reads another process's erasure at its next refresh", async () => {
    const loader = new Loader(db.ch, { erasureRefreshMs: 0 })
    await loader.warmUp()
    // written as another process's erasure would be: into the table, without this process being told
    await db.ch.client.command({
      query: `INSERT INTO ${TABLES.erasures} SELECT 'p', lower(hex(SHA256('p\\nelsewhere'))), now64(3)`,
    })
    const result = await loader.load([event({ user_id: 'elsewhere' })], 'elsewhere', build)
    expect(result.erased).toBe(1)
    expect(await count(TABLES.events, `user_id = 'elsewhere'`)).toBe(0)
  })
})
