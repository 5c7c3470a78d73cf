import { randomUUID } from 'node:crypto'
import { RECORD_KIND } from '@touchpoint/loader'
import { type EventType, type FieldIssue, limits, type RejectedRow, validateEvent } from '@touchpoint/schema'
import { chDateTime } from '../enrich/clock'
import { identityOf, type RequestFacts, toEventRow } from '../enrich/event-row'
import { anonymizeIp } from '../enrich/ip'
import type { ErrorCode } from '../errors'
import { encodeRecord } from '../spool/codec'
import { Lru } from '../util/lru'

/** Identity links recently written, so an identified visitor's every event does not write the link again. */
const IDENTITY_CACHE_SIZE = 100_000

export interface RejectedEvent {
  index: number
  messageId?: string
  issues: FieldIssue[]
}

export interface Processed {
  frames: Buffer[]
  accepted: number
  rejected: RejectedEvent[]
}

/** Validates, enriches and encodes the events of one request into spool frames (events, links, rejects). */
export class EventProcessor {
  private readonly linked = new Lru<string, true>(IDENTITY_CACHE_SIZE)

  process(
    items: readonly unknown[],
    impliedType: EventType | undefined,
    facts: RequestFacts,
    route: string,
    /** size of the whole body; when under the per-event limit, no event needs measuring on its own */
    bodyBytes: number,
  ): Processed {
    const frames: Buffer[] = []
    const rejected: RejectedEvent[] = []
    let accepted = 0
    items.forEach((raw, index) => {
      const bytes = bodyBytes <= limits.MAX_EVENT_BYTES ? bodyBytes : undefined
      const result = validateEvent(raw, impliedType, bytes)
      if (!result.ok) {
        const messageId = (raw as { messageId?: unknown } | null)?.messageId
        rejected.push({ index, ...(typeof messageId === 'string' && { messageId }), issues: result.issues })
        frames.push(rejectedFrame(facts, route, 'TP_ERR_VALIDATION', result.issues, raw))
        return
      }
      const row = toEventRow(result.event, facts)
      frames.push(encodeRecord(RECORD_KIND.event, row.event_id, JSON.stringify(row)))
      accepted++
      const link = identityOf(row)
      if (link) {
        const key = `${link.project_id}\0${link.anonymous_id}\0${link.user_id}`
        if (!this.linked.has(key)) {
          this.linked.set(key, true)
          frames.push(encodeRecord(RECORD_KIND.identity, '', JSON.stringify(link)))
        }
      }
    })
    return { frames, accepted, rejected }
  }
}

/** A spool frame for a refused call, keeping the reasons and (up to MAX_REJECTED_RAW_BYTES of) the raw payload. */
export function rejectedFrame(
  facts: Pick<RequestFacts, 'projectId' | 'source' | 'receivedAt' | 'ip' | 'userAgent'>,
  route: string,
  code: ErrorCode,
  issues: FieldIssue[],
  raw: unknown,
): Buffer {
  let text: string
  try {
    text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw))
  } catch {
    text = String(raw)
  }
  const row: RejectedRow = {
    rejected_id: randomUUID(),
    project_id: facts.projectId,
    received_at: chDateTime(facts.receivedAt),
    source: facts.source,
    route,
    error_code: code,
    reason: JSON.stringify(issues),
    raw: text.length > limits.MAX_REJECTED_RAW_BYTES ? text.slice(0, limits.MAX_REJECTED_RAW_BYTES) : text,
    ip: anonymizeIp(facts.ip),
    user_agent: (facts.userAgent ?? '').slice(0, limits.MAX_USER_AGENT_LENGTH),
  }
  return encodeRecord(RECORD_KIND.rejected, '', JSON.stringify(row))
}
