import { randomUUID } from 'node:crypto'
import { parseTimestamp } from '@touchpoint/schema'

const TIMESTAMP_HELP =
  'is not an ISO-8601 date-time, such as 2026-11-03T18:40:00Z (one without a zone is UTC)'

/** Who a call is about: a known user, an anonymous visitor, or both (which links them). */
export type Identity = { userId: string; anonymousId?: string } | { userId?: string; anonymousId: string }

/** What every call may carry besides its own fields. */
export interface Common {
  /** Unique per event: a retry of the same messageId counts once. Generated when absent. */
  messageId?: string
  /**
   * When it happened: a Date, or an ISO-8601 string (UTC when it names no zone). A secret-key client may back-date
   * (imports); a write-key one may not. Default: now.
   */
  timestamp?: Date | string
  /** Segment's context: ip (secret key only), userAgent, locale, page, campaign, traits… */
  context?: Record<string, unknown>
  integrations?: Record<string, unknown>
}

export type TrackMessage = Identity & Common & { event: string; properties?: Record<string, unknown> }
export type PageMessage = Identity &
  Common & { name?: string; category?: string; properties?: Record<string, unknown> }
export type IdentifyMessage = Identity & Common & { traits?: Record<string, unknown> }
export type GroupMessage = Identity & Common & { groupId: string; traits?: Record<string, unknown> }
export type AliasMessage = Common & { previousId: string; userId: string }

/** A typed helper's message: `track` without the event name, and with the event's own properties. */
export type CustomerMessage<P> = Identity & Common & { properties: P }

export type CallType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias'

export class TouchpointValidationError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message)
    this.name = 'TouchpointValidationError'
  }
}

export const LIBRARY = { name: '@touchpoint/node', version: '0.1.0' }

/** The wire form of a call: type, ids, ISO timestamp and the library in context. */
export function toWire(type: CallType, message: Common & Record<string, unknown>): Record<string, unknown> {
  const { timestamp, context, ...rest } = message
  if (type !== 'alias' && rest.userId === undefined && rest.anonymousId === undefined)
    throw new TouchpointValidationError(`${type}: userId or anonymousId is required`, [
      { path: 'userId', message: 'userId or anonymousId is required' },
    ])
  // a string as the collector reads it: ISO-8601, UTC when it names no zone. `new Date()` would take 03/11/2026
  // for March 11th, and a time without a zone in whatever zone this process runs in
  const time = new Date(
    timestamp === undefined
      ? Date.now()
      : typeof timestamp === 'string'
        ? parseTimestamp(timestamp)
        : timestamp,
  )
  if (Number.isNaN(time.getTime())) {
    const why = typeof timestamp === 'string' ? TIMESTAMP_HELP : 'is not a valid date'
    throw new TouchpointValidationError(`${type}: timestamp ${why}`, [{ path: 'timestamp', message: why }])
  }
  return {
    ...rest,
    type,
    messageId: rest.messageId ?? randomUUID(),
    timestamp: time.toISOString(),
    context: { ...context, library: LIBRARY },
  }
}
