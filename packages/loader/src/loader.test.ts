import { TABLES } from '@touchpoint/clickhouse'
import { describe, expect, it } from 'vitest'
import { useEmbeddedClickHouse } from '../../clickhouse/src/testing'
import { Loader } from './loader'
import { type LoadRecord, RECORD_KIND } from './record'

const db = useEmbeddedClickHouse('tp-loader-')

const id = (n: number) => `00000000-0000-8000-8000-${String(n).padStart(12, '0')}`
const row = (n: number) =>
  JSON.stringify({
    event_id: id(n),
    project_id: 'p',
    type: 'track',
    event: `E${n}`,
    anonymous_id: 'a',
    timestamp: '2026-11-24 00:00:00.000',
    received_at: '2026-11-24 00:00:00.000',
  })
/** An event input whose payload is, for this test's builder, the row it builds into. */
const input = (n: number): LoadRecord => ({ kind: RECORD_KIND.eventInput, id: id(n), payload: row(n) })
const event = (n: number): LoadRecord => ({ kind: RECORD_KIND.event, id: id(n), payload: row(n) })

async function storedEvents(): Promise<string[]> {
  const rs = await db.ch.client.query({
    query: `SELECT event FROM ${TABLES.events} ORDER BY event`,
    format: 'JSONEachRow',
  })
  return (await rs.json<{ event: string }>()).map((r) => r.event)
}

describe('Loader with a row builder', () => {
  it('builds only the event inputs it keeps, and inserts them with the rows that came built', async () => {
    const loader = new Loader(db.ch)
    const asked: string[][] = []
    const build = async (payloads: string[]) => {
      asked.push(payloads)
      return new TextEncoder().encode(payloads.join('\n'))
    }
    await loader.load([input(1)], 'test:1', build)
    // a retry of 1, loaded before; 2 twice in one batch; 3 as a built row; 4 new
    const result = await loader.load([input(1), input(2), input(2), event(3), input(4)], 'test:2', build)
    expect(asked).toEqual([[row(1)], [row(2), row(4)]])
    expect(result).toMatchObject({ events: 3, duplicates: 2 })
    expect(await storedEvents()).toEqual(['E1', 'E2', 'E3', 'E4'])
  })

  it('refuses event inputs without a builder, before inserting anything', async () => {
    const loader = new Loader(db.ch)
    await expect(loader.load([event(5), input(6)], 'test:3')).rejects.toThrow(/only with a row builder/)
    expect(await storedEvents()).not.toContain('E5')
  })
})

describe('Loader, the order of its inserts', () => {
  it("stores a batch's identity links before its events, so no reader sees an event without its link", async () => {
    const loader = new Loader(db.ch)
    const link: LoadRecord = {
      kind: RECORD_KIND.identity,
      id: '',
      payload: JSON.stringify({
        project_id: 'p',
        anonymous_id: 'a-order',
        user_id: 'u-order',
        linked_at: '2026-11-24 00:00:00.000',
        link_source: 'identify',
      }),
    }
    // an event ClickHouse refuses stops the batch at the events' insert: the link is in by then
    const refused: LoadRecord = { kind: RECORD_KIND.event, id: id(7), payload: '{"event_id":"not a uuid"}' }
    await expect(loader.load([refused, link], 'test:4')).rejects.toThrow()
    const rs = await db.ch.client.query({
      query: `SELECT user_id FROM ${TABLES.identities} WHERE anonymous_id = 'a-order'`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([{ user_id: 'u-order' }])
  })
})

describe('Loader, after a restart', () => {
  it('refills its window with the newest ids when more were loaded than it holds', async () => {
    // ids 100..129 loaded a second apart, within the last hour; the new window holds 12 of them
    const start = Date.now() - 60_000
    const at = (n: number) =>
      new Date(start + (n - 100) * 1000).toISOString().replace('T', ' ').replace('Z', '')
    const recent = (n: number): LoadRecord => ({
      kind: RECORD_KIND.event,
      id: id(n),
      payload: JSON.stringify({ ...JSON.parse(row(n)), received_at: at(n) }),
    })
    const ns = Array.from({ length: 30 }, (_, i) => 100 + i)
    await new Loader(db.ch).load(ns.map(recent), 'test:warm')
    const restarted = new Loader(db.ch, { dedupeMaxIds: 12 })
    expect(await restarted.warmUp()).toBe(12)
    // a re-read of the last 12 is dropped whole; the one before them is not remembered
    const reread = await restarted.load(ns.slice(-12).map(recent), 'test:reread')
    expect(reread).toMatchObject({ events: 0, duplicates: 12 })
    expect(restarted.window.has(id(117))).toBe(false)
  })
})

describe('Loader, two loads at once', () => {
  it('lets an id through once when two overlapping batches are loaded at the same time', async () => {
    const loader = new Loader(db.ch)
    // a replaced consumer's last batch and its replacement's first, read from an earlier offset
    const [a, b] = await Promise.all([
      loader.load([event(200), event(201)], 'test:a'),
      loader.load([event(199), event(200), event(201)], 'test:b'),
    ])
    expect(a.events + b.events).toBe(3)
    expect(b.duplicates).toBe(2)
    const rs = await db.ch.client.query({
      query: `SELECT count() AS n FROM ${TABLES.events} WHERE event IN ('E199', 'E200', 'E201')`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([{ n: 3 }])
  })
})
