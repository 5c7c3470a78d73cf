import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RECORD_KIND } from '../packages/loader/src/record'
import type { RunningCollector } from '../services/collector/src/server'
import { encodeRecord } from '../services/collector/src/spool/codec'
import { Spool } from '../services/collector/src/spool/spool'
import { tempDir } from './helpers/collector'
import { eventually, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'
import { metricValue } from './helpers/load'

/**
 * A record ClickHouse refuses for what it holds, in the embedded collector's spool (a spool written by another
 * version, say, or text no check foresaw): the loader used to retry its batch for good, so nothing after it was
 * ever stored. Now the refused record is set apart into events_rejected with ClickHouse's reason, and the records
 * around it load, as the ingester dead-letters such a message.
 */
const keys = {
  adminKey: 'admin-refused-0123456789abcdef',
  writeKey: 'wk_refused_123456',
  secretKey: 'sk_refused_0123456789abcdef',
}
const ids = { before: randomUUID(), poison: randomUUID(), after: randomUUID() }
const row = (id: string, event: string, timestamp: string) =>
  JSON.stringify({ event_id: id, project_id: 'refusals', event, anonymous_id: 'spooled', timestamp })
let collector: RunningCollector

beforeAll(async () => {
  const dir = tempDir()
  const spool = await Spool.open(join(dir, 'spool'), { maxBytes: 1 << 30 })
  await spool.append([
    encodeRecord(RECORD_KIND.event, ids.before, row(ids.before, 'Before', '2026-11-22 10:00:00.000'), 'k'),
    encodeRecord(RECORD_KIND.event, ids.poison, row(ids.poison, 'Poison', 'not a time'), 'k'),
    encodeRecord(RECORD_KIND.event, ids.after, row(ids.after, 'After', '2026-11-22 10:00:01.000'), 'k'),
  ])
  await spool.close()
  ;({ collector } = await startTestCollector(
    {
      adminKey: keys.adminKey,
      projects: [{ id: 'refusals', writeKey: keys.writeKey, secretKey: keys.secretKey }],
    },
    {},
    dir,
  ))
})
afterAll(async () => {
  await collector?.close()
})

describe('a spooled record ClickHouse refuses', () => {
  it('goes to events_rejected with the reason, and the records around it are stored', async () => {
    const stored = await eventually(
      () =>
        sql<{ event: string }>(
          collector.url,
          keys.adminKey,
          `SELECT event FROM events WHERE project_id = 'refusals' ORDER BY timestamp`,
        ),
      (rows) => rows.length >= 2,
      20_000,
    )
    expect(stored.map((r) => r.event)).toEqual(['Before', 'After'])
    const kept = await eventually(
      () =>
        sql<{ id: string; code: string; route: string; reason: string; raw: string }>(
          collector.url,
          keys.adminKey,
          `SELECT toString(rejected_id) AS id, error_code AS code, route, reason, raw FROM events_rejected
           WHERE project_id = 'refusals'`,
        ),
      (rows) => rows.length > 0,
      10_000,
    )
    expect(kept).toHaveLength(1)
    expect(kept[0]).toMatchObject({ id: ids.poison, code: 'TP_STORAGE_REFUSED', route: 'events' })
    expect(JSON.parse(kept[0]!.reason)[0].message).toMatch(/^ClickHouse refused the row: .*timestamp/s)
    expect(JSON.parse(kept[0]!.raw)).toMatchObject({ event: 'Poison', timestamp: 'not a time' })
    expect(await metricValue(collector.url, 'touchpoint_events_refused_by_storage_total')).toBe(1)
    const ready = await fetch(`${collector.url}/readyz`)
    expect(await ready.json()).toMatchObject({ status: 'ok' })
  })
})
