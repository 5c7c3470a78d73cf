import { createHash } from 'node:crypto'
import { type LoadRecord, RECORD_KIND } from '@touchpoint/loader'
import type { EventSource } from '@touchpoint/schema'
import type { EventInput } from '../enrich/event-row'
import { rejectedRecord, STORAGE_REFUSED } from '../ingest/process'

/** ClickHouse's `2026-11-22 08:53:17.123` (UTC) in epoch milliseconds; now for anything else. */
const msOf = (text: unknown) => {
  const ms = typeof text === 'string' ? Date.parse(`${text.replace(' ', 'T')}Z`) : Number.NaN
  return Number.isFinite(ms) ? ms : Date.now()
}

/** A UUID of the record's text, for a record with no id of its own (an identity link): the same on a run again. */
const uuidOf = (text: string) =>
  createHash('sha256')
    .update(text)
    .digest('hex')
    .slice(0, 32)
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')

/**
 * The events_rejected record of a spooled record that ClickHouse refused for what it holds (loadIsolating): its
 * event as sent (or its row), ClickHouse's reason and STORAGE_REFUSED, under the event's id, so that a load run
 * again after a crash keeps it once.
 */
export function refusedRecord(record: LoadRecord, reason: string): LoadRecord {
  const issues = [{ path: '', message: `ClickHouse refused the row: ${reason.slice(0, 500)}` }]
  let fields: Record<string, unknown> = {}
  try {
    fields = JSON.parse(record.payload) as Record<string, unknown>
  } catch {}
  if (record.kind === RECORD_KIND.eventInput) {
    const { id, event, facts } = fields as unknown as EventInput
    return rejectedRecord(facts, 'events', STORAGE_REFUSED, issues, event, id)
  }
  const facts = {
    projectId: String(fields.project_id ?? ''),
    source: String(fields.source ?? '') as EventSource,
    receivedAt: msOf(fields.received_at),
    ip: String(fields.ip ?? ''),
    userAgent: String(fields.user_agent ?? ''),
  }
  const table = record.kind === RECORD_KIND.identity ? 'identities' : 'events'
  return rejectedRecord(
    facts,
    table,
    STORAGE_REFUSED,
    issues,
    record.payload,
    record.id || uuidOf(record.payload),
  )
}
