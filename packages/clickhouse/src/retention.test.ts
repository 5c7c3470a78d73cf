import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../test/helpers/collector'
import { eventually } from '../../../test/helpers/http'
import { insertJsonEachRow } from './insert'
import { applyRetention, currentTtl, ttlClause, ttlDays } from './retention'
import { TABLES } from './tables'
import { useEmbeddedClickHouse } from './testing'

const db = useEmbeddedClickHouse('tp-retention-')

/** A page view of `project`, `ageDays` old, as a JSONEachRow line. */
const pageRow = (id: string, project: string, ageDays: number, session: string) =>
  JSON.stringify({
    event_id: id,
    project_id: project,
    type: 'page',
    event: 'Page Viewed',
    anonymous_id: 'a',
    session_id: session,
    timestamp: new Date(Date.now() - ageDays * 86_400_000).toISOString(),
    received_at: new Date().toISOString(),
  })

/** A column of the events `where` selects, once a merge has applied the TTL, sorted by it. */
async function merged<T>(column: string, where: string): Promise<T[]> {
  await db.ch.client.command({ query: `OPTIMIZE TABLE ${TABLES.events} FINAL` })
  const rs = await db.ch.client.query({
    query: `SELECT ${column} FROM ${TABLES.events} WHERE ${where} ORDER BY ${column}`,
    format: 'JSONEachRow',
  })
  return rs.json<T>()
}

const engines = async () => {
  const rs = await db.ch.client.query({
    query: `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN
      ('${TABLES.events}', '${TABLES.sessionParts}', '${TABLES.rejected}')`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ name: string; engine_full: string }>()
  return Object.fromEntries(rows.map((r) => [r.name, ttlDays(r.engine_full)]))
}

describe('ttlDays', () => {
  it.each([
    ['MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (a) SETTINGS index_granularity = 8192', 0],
    [
      'MergeTree ORDER BY a TTL toDateTime(timestamp) + toIntervalDay(30) SETTINGS ttl_only_drop_parts = 0',
      30,
    ],
    ['MergeTree ORDER BY a TTL day + toIntervalDay(365)', 365],
    ['MergeTree ORDER BY a TTL toDateTime(timestamp) + toIntervalMonth(1)', Number.NaN],
  ])('%s → %s', (engine, days) => expect(ttlDays(engine)).toBe(days))
})

describe('ttlClause', () => {
  const age = 'toDateTime(timestamp)'
  it.each([
    [undefined, {}, undefined],
    [0, {}, ''],
    [30, {}, `${age} + toIntervalDay(30)`],
    [
      395,
      { shop: 730, blog: 90 },
      `${age} + toIntervalDay(multiIf(project_id = 'blog', 90, project_id = 'shop', 730, 395))`,
    ],
    [
      395,
      { blog: 90, keep: 0 },
      `${age} + toIntervalDay(multiIf(project_id = 'blog', 90, 395)) WHERE project_id NOT IN ('keep')`,
    ],
    [395, { keep: 0 }, `${age} + toIntervalDay(395) WHERE project_id NOT IN ('keep')`],
    [
      undefined,
      { blog: 90 },
      `${age} + toIntervalDay(multiIf(project_id = 'blog', 90, 0)) WHERE project_id IN ('blog')`,
    ],
    [0, { keep: 0 }, ''],
  ])('%s days, %o → %s', (days, byProject, clause) => expect(ttlClause(age, days, byProject)).toBe(clause))
})

describe('applyRetention', () => {
  it('sets, keeps and removes each table’s TTL as asked, and leaves alone what is not asked', async () => {
    expect(await engines()).toEqual({ events: 0, session_parts: 0, events_rejected: 0 })
    expect(await applyRetention(db.ch, { eventsDays: 400, rejectedDays: 30 })).toEqual([
      TABLES.events,
      TABLES.sessionParts,
      TABLES.rejected,
    ])
    expect(await engines()).toEqual({ events: 400, session_parts: 400, events_rejected: 30 })
    expect(await applyRetention(db.ch, { eventsDays: 400, rejectedDays: 30 })).toEqual([]) // a restart
    expect(await applyRetention(db.ch, { eventsDays: 0 })).toEqual([TABLES.events, TABLES.sessionParts])
    expect(await engines()).toEqual({ events: 0, session_parts: 0, events_rejected: 30 })
  })

  it('keeps each project for its own days, and finds them in place on a restart', async () => {
    const retention = { eventsDays: 395, eventsDaysByProject: { blog: 90, archive: 0 } }
    expect(await applyRetention(db.ch, retention)).toEqual([TABLES.events, TABLES.sessionParts])
    const rs = await db.ch.client.query({
      query: `SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = '${TABLES.events}'`,
      format: 'JSONEachRow',
    })
    const [events] = await rs.json<{ engine_full: string }>()
    expect(currentTtl(events!.engine_full)).toBe(
      "toDateTime(timestamp) + toIntervalDay(multiIf(project_id = 'blog', 90, 395)) WHERE project_id NOT IN ('archive')",
    )
    expect(await applyRetention(db.ch, retention)).toEqual([]) // a restart
    expect(await applyRetention(db.ch, { eventsDays: 0 })).toEqual([TABLES.events, TABLES.sessionParts])
  })

  it('deletes the events older than the retention, with the rows already stored', async () => {
    const old = '00000000-0000-4000-8000-000000000001'
    const recent = '00000000-0000-4000-8000-000000000002'
    const rows = [pageRow(old, 'p', 500, `s-${old}`), pageRow(recent, 'p', 2, `s-${recent}`)]
    await insertJsonEachRow(db.ch, TABLES.events, rows.join('\n'), 'retention-1')
    await applyRetention(db.ch, { eventsDays: 365 })
    const ids = async () => (await merged<{ event_id: string }>('event_id', '1')).map((r) => r.event_id)
    expect(await eventually(ids, (found) => found.length === 1)).toEqual([recent])
  })

  it("deletes each project's events by its own days, and keeps a project kept forever", async () => {
    const event = (n: number, project: string, ageDays: number) =>
      pageRow(`00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`, project, ageDays, `s-${n}`)
    const rows = [event(1, 'blog', 100), event(2, 'blog', 10), event(3, 'shop', 100), event(4, 'shop', 500)]
    rows.push(event(5, 'archive', 5000))
    // set before the insert: ClickHouse drops rows already past the table's TTL as it writes them
    await applyRetention(db.ch, { eventsDays: 395, eventsDaysByProject: { blog: 90, archive: 0 } })
    await insertJsonEachRow(db.ch, TABLES.events, rows.join('\n'), 'retention-projects')
    const kept = async () =>
      (
        await merged<{ session_id: string }>(
          'session_id',
          "session_id IN ('s-1', 's-2', 's-3', 's-4', 's-5')",
        )
      ).map((r) => r.session_id)
    // the blog's 100-day-old event is past its 90 days, the shop's 500-day-old one past the 395 of the others
    expect(await eventually(kept, (found) => found.length === 3)).toEqual(['s-2', 's-3', 's-5'])
  })

  it('comes from EVENTS_RETENTION_DAYS, EVENTS_RETENTION_BY_PROJECT and REJECTED_RETENTION_DAYS through `touchpoint migrate`', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-retention-cli-'))
    try {
      const env = { TOUCHPOINT_DATA_DIR: dataDir, EVENTS_RETENTION_DAYS: '90', REJECTED_RETENTION_DAYS: '7' }
      const first = await runCli(['migrate'], env)
      expect(first.stdout).toContain('Retention changed on: events, session_parts, events_rejected')
      const again = await runCli(['migrate'], env)
      expect(again.code).toBe(0)
      expect(again.stdout).not.toContain('Retention')
      const bad = await runCli(['migrate'], { ...env, EVENTS_RETENTION_DAYS: 'a year' })
      expect(bad.code).not.toBe(0)
      expect(bad.stderr).toContain('EVENTS_RETENTION_DAYS')
      const byProject = await runCli(['migrate'], {
        ...env,
        EVENTS_RETENTION_BY_PROJECT: 'blog=30, shop=730',
      })
      expect(byProject.stdout).toContain('Retention changed on: events, session_parts')
      const badPairs = await runCli(['migrate'], { ...env, EVENTS_RETENTION_BY_PROJECT: 'blog:30' })
      expect(badPairs.code).not.toBe(0)
      expect(badPairs.stderr).toMatch(/EVENTS_RETENTION_BY_PROJECT.*project=days/)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
