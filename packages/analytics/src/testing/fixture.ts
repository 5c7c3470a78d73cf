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
  is_bot?: number
  project?: string
}

const iso = (at: number | string) => new Date(at).toISOString()

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
          is_bot: e.is_bot ?? 0,
        }),
      )
      .join('\n')
    await insertJsonEachRow(ch, TABLES.events, `${body}\n`, randomUUID())
  }
  return {
    ch,
    reader,
    /**
     * Inserts the events. An id given more than once is a retry stored again: each repeat goes into an insert of
     * its own, after the first, since ClickHouse merges the rows of one sort key within one insert (as it would a
     * later merge), and a test of counting retries once needs them apart, as two inserts leave them.
     */
    async events(events: FixtureEvent[]) {
      const seen = new Map<string, number>()
      const inserts: FixtureEvent[][] = []
      for (const e of events) {
        const n = e.id === undefined ? 0 : (seen.get(e.id) ?? 0)
        if (e.id !== undefined) seen.set(e.id, n + 1)
        ;(inserts[n] ??= []).push(e)
      }
      for (const rows of inserts) await insertEvents(rows)
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
