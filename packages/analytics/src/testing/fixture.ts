import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ClickHouse, createClickHouse, insertJsonEachRow, migrate, TABLES } from '@touchpoint/clickhouse'
import { Reader } from '../reader'

export const PROJECT = 'fixture'

/** A fixture event: only what a test cares about; the rest takes the table's defaults. */
export interface FixtureEvent {
  event: string
  at: number | string
  anon?: string
  user?: string
  session?: string
  type?: string
  /** browser (default server) or email */
  source?: string
  id?: string
  url?: string
  path?: string
  channel?: string
  utm_source?: string
  utm_medium?: string
  utm_campaign?: string
  referrer_host?: string
  revenue?: number
  currency?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  browser?: string
  os?: string
  device_type?: string
  /** the device's IANA time zone and locale (`Europe/Vienna`, `de-AT`), as tp.js sends them */
  timezone?: string
  locale?: string
  is_bot?: number
  project?: string
}

/** A refused call: only what a test cares about. */
export interface FixtureRejected {
  code: string
  issues: Array<{ path: string; message: string }>
  at: number | string
  id?: string
  source?: string
  route?: string
  project?: string
  /** the call as kept ('{}' unless given) */
  raw?: string
}

const iso = (at: number | string) => new Date(at).toISOString()

/**
 * Rows split into inserts, in order: an id given more than once is a retry stored again, so each repeat goes into
 * an insert after the one before it. ClickHouse merges the rows of one sort key within one insert (as it would in
 * a later merge), and a test of counting retries once needs them apart, as two inserts leave them.
 */
function apart<T extends { id?: string | undefined }>(rows: T[]): T[][] {
  const seen = new Map<string, number>()
  const inserts: T[][] = []
  for (const row of rows) {
    const n = row.id === undefined ? 0 : (seen.get(row.id) ?? 0)
    if (row.id !== undefined) seen.set(row.id, n + 1)
    const insert = inserts[n] ?? []
    inserts[n] = insert
    insert.push(row)
  }
  return inserts
}

/**
 * A real embedded ClickHouse with Touchpoint's tables, for analytics tests on hand-built data. Rows are inserted
 * directly (bypassing the collector) so that a test controls every timestamp, id and duplicate.
 */
export async function openFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'tp-analytics-'))
  const ch: ClickHouse = await createClickHouse({ dataDir: dir })
  await migrate(ch)
  const reader = new Reader(ch)
  const insertEvents = async (events: FixtureEvent[]) => {
    const body = events
      .map((e) =>
        JSON.stringify({
          event_id: e.id ?? randomUUID(),
          message_id: e.id ?? '',
          project_id: e.project ?? PROJECT,
          type:
            e.type ?? (e.event === 'Page Viewed' ? 'page' : e.event === 'Identify' ? 'identify' : 'track'),
          event: e.event,
          source: e.source ?? 'server',
          anonymous_id: e.anon ?? '',
          user_id: e.user ?? '',
          session_id: e.session ?? '',
          timestamp: iso(e.at),
          received_at: iso(e.at),
          url: e.url ?? '',
          path: e.path ?? '',
          channel: e.channel ?? 'Direct',
          utm_source: e.utm_source ?? '',
          utm_medium: e.utm_medium ?? '',
          utm_campaign: e.utm_campaign ?? '',
          referrer_host: e.referrer_host ?? '',
          revenue: e.revenue ?? null,
          currency: e.currency ?? '',
          properties: JSON.stringify(e.properties ?? {}),
          traits: JSON.stringify(e.traits ?? {}),
          browser: e.browser ?? '',
          os: e.os ?? '',
          device_type: e.device_type ?? '',
          timezone: e.timezone ?? '',
          locale: e.locale ?? '',
          is_bot: e.is_bot ?? 0,
        }),
      )
      .join('\n')
    await insertJsonEachRow(ch, TABLES.events, `${body}\n`, randomUUID())
  }
  return {
    ch,
    reader,
    /** Inserts the events, a repeated id (a retry) apart from the first (see `apart`). */
    async events(events: FixtureEvent[]) {
      for (const rows of apart(events)) await insertEvents(rows)
    },
    /** Inserts refused calls, each with its code and issues, a repeated id apart from the first. */
    async rejected(calls: FixtureRejected[]) {
      for (const rows of apart(calls)) {
        const body = rows.map((c) =>
          JSON.stringify({
            rejected_id: c.id ?? randomUUID(),
            project_id: c.project ?? PROJECT,
            received_at: iso(c.at),
            source: c.source ?? 'browser',
            route: c.route ?? '/v1/batch',
            error_code: c.code,
            reason: JSON.stringify(c.issues),
            raw: c.raw ?? '{}',
          }),
        )
        await insertJsonEachRow(ch, TABLES.rejected, `${body.join('\n')}\n`, randomUUID())
      }
    },
    async link(anon: string, user: string, at: number | string, project = PROJECT) {
      const row = {
        project_id: project,
        anonymous_id: anon,
        user_id: user,
        linked_at: iso(at),
        link_source: 'identify',
      }
      await insertJsonEachRow(ch, TABLES.identities, `${JSON.stringify(row)}\n`, randomUUID())
    },
    async close() {
      await ch.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type Fixture = Awaited<ReturnType<typeof openFixture>>
