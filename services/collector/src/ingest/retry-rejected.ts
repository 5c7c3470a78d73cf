import { type ClickHouse, TABLES } from '@touchpoint/clickhouse'
import {
  EVENT_TYPES,
  type EventSource,
  type EventType,
  type FieldIssue,
  isPlainObject,
  PLAN_CODES,
} from '@touchpoint/schema'
import { chDateTime } from '../enrich/clock'
import type { OutboundRecord } from '../pipeline/sink'
import type { ProjectRegistry } from '../projects'
import type { EventProcessor } from './process'

/**
 * Refused calls sent through the collector's checks again: after an upgrade that takes what an older version
 * refused (a Python library's page sent with `"name": null`), or a tracking plan put right. Each is processed as
 * it was received: the same project, route, source and key's trust (a browser's or a server's), user agent and
 * (anonymised) address, at the time it was received, so a browser's call keeps its place in its visit. A call
 * without a messageId takes its refusal's id for one, so that a second retry stores nothing twice.
 */

/** Refusals by the call's fields or by the project's tracking plan: what a change on the collector's side can lift. */
const RETRIABLE = ['TP_ERR_VALIDATION', PLAN_CODES.refused]
/** The sources whose calls came through the tracking routes (an email route's refusal is a forged link's). */
const SOURCES: EventSource[] = ['browser', 'server', 'import']
const PAGE = 1000

export interface RetryResult {
  /** refusals of the range read (each once) */
  examined: number
  /** now accepted, and stored (unless a dry run) */
  accepted: number
  /** refused again, with the commonest reasons (at most 10) */
  stillRefused: number
  reasons: Array<FieldIssue & { calls: number }>
  /** a raw body kept cut at its 64 KiB, which no longer reads as JSON */
  unreadable: number
}

interface RefusedRow {
  id: string
  at: number
  source: EventSource
  route: string
  raw: string
  ip: string
  user_agent: string
}

/** The type a single-call route stands for (`/v1/track`, `/v1/t`); none for a batch's. */
function impliedType(route: string): EventType | undefined {
  const name = /\/v1\/([a-z]+)\/?(?:\?|$)/.exec(route)?.[1]
  return EVENT_TYPES.find((t) => t === name || t[0] === name)
}

export async function retryRejected(opts: {
  ch: ClickHouse
  processor: EventProcessor
  registry: ProjectRegistry
  project: string
  from: Date
  to: Date
  /** where accepted records go (Sink.append); none for a dry run */
  append?: (records: OutboundRecord[]) => Promise<void>
}): Promise<RetryResult> {
  const { ch, processor, registry, project } = opts
  const result: RetryResult = { examined: 0, accepted: 0, stillRefused: 0, reasons: [], unreadable: 0 }
  const reasons = new Map<string, FieldIssue & { calls: number }>()
  const sites = registry.sitesOf(project)
  let after = { at: 0, id: '' }
  for (;;) {
    const rs = await ch.client.query({
      query: `SELECT toString(rejected_id) AS id, toUnixTimestamp64Milli(received_at) AS at, source, route, raw, ip,
          user_agent
        FROM ${TABLES.rejected}
        WHERE project_id = {project:String} AND error_code IN {codes:Array(String)} AND source IN {sources:Array(String)}
          AND received_at >= {from:DateTime64(3, 'UTC')} AND received_at < {to:DateTime64(3, 'UTC')}
          AND (toUnixTimestamp64Milli(received_at), toString(rejected_id)) > ({at:Int64}, {id:String})
        ORDER BY at, id LIMIT ${PAGE}`,
      query_params: {
        project,
        codes: RETRIABLE,
        sources: SOURCES,
        from: chDateTime(opts.from.getTime()),
        to: chDateTime(opts.to.getTime()),
        ...after,
      },
      format: 'JSONEachRow',
    })
    const rows = await rs.json<RefusedRow>()
    if (!rows.length)
      return { ...result, reasons: [...reasons.values()].sort((a, b) => b.calls - a.calls).slice(0, 10) }
    const records: OutboundRecord[] = []
    for (const row of rows) {
      // a refusal stored twice (loaded again after a crash, before ClickHouse merged it away) is one
      if (row.id === after.id) continue
      after = { at: Number(row.at), id: row.id }
      result.examined++
      let call: unknown
      try {
        call = JSON.parse(row.raw)
      } catch {
        result.unreadable++
        continue
      }
      if (isPlainObject(call) && call.messageId == null) call = { ...call, messageId: row.id }
      const trusted = row.source !== 'browser'
      const out = processor.process(
        [call],
        impliedType(row.route),
        {
          projectId: project,
          trusted,
          source: row.source,
          receivedAt: Number(row.at),
          ip: row.ip,
          userAgent: row.user_agent || undefined,
          sentAt: undefined,
          ...(!trusted && registry.isInternal(project, row.ip) && { internal: true as const }),
          ...(sites && { sites }),
        },
        row.route,
        Number.POSITIVE_INFINITY,
      )
      if (out.accepted) {
        result.accepted++
        records.push(...out.records)
        continue
      }
      // refused again: its refusal is on record already
      result.stillRefused++
      for (const issue of out.rejected[0]?.issues ?? []) {
        const key = `${issue.path}\n${issue.message}`
        const seen = reasons.get(key) ?? { ...issue, calls: 0 }
        seen.calls++
        reasons.set(key, seen)
      }
    }
    if (records.length) await opts.append?.(records)
  }
}
