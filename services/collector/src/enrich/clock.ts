import { limits, parseTimestamp } from '@touchpoint/schema'

export interface ClockInput {
  timestamp: string | undefined
  sentAt: string | undefined
  receivedAt: number
  /** secret-key calls may back-date events (imports); write-key calls may not */
  trusted: boolean
}

/**
 * The event's time, corrected for the sender's clock: timestamp = receivedAt − (sentAt − timestamp) when a
 * write-key sender says when it sent, so a phone whose clock is an hour off still lands at the right moment.
 * A clock within CLOCK_TOLERANCE_MS is left alone, so one visitor's events keep the order they happened in.
 * Secret-key (server) timestamps are kept as sent (the collector refuses one outOfRange first).
 * A write-key event claiming to be older than MAX_CLIENT_EVENT_AGE_MS, or any event further in the future than
 * MAX_FUTURE_SKEW_MS, gets the receive time instead.
 */
export function eventTime({ timestamp, sentAt, receivedAt, trusted }: ClockInput): number {
  if (!timestamp) return receivedAt
  let t = parseTimestamp(timestamp)
  // a server's clock is trusted as it is: correcting an import's history by the request's transit time would
  // move every historic event by a few milliseconds away from the system it came from
  if (sentAt && !trusted) {
    const sent = parseTimestamp(sentAt)
    if (Number.isFinite(sent) && Math.abs(receivedAt - sent) > limits.CLOCK_TOLERANCE_MS)
      t = receivedAt - (sent - t)
  }
  return !Number.isFinite(t) || outOfRange(t, receivedAt, trusted) ? receivedAt : t
}

/**
 * Why a time is not one to store: before the oldest its sender may name (a server's: MIN_TRUSTED_TIMESTAMP_MS; a
 * browser's: MAX_CLIENT_EVENT_AGE_MS before the receive time), or more than MAX_FUTURE_SKEW_MS ahead of it.
 * eventTime gives such a browser's event the receive time; the collector refuses such a server's call.
 */
export function outOfRange(t: number, receivedAt: number, trusted: boolean): 'early' | 'ahead' | undefined {
  if (t > receivedAt + limits.MAX_FUTURE_SKEW_MS) return 'ahead'
  const oldest = trusted ? limits.MIN_TRUSTED_TIMESTAMP_MS : receivedAt - limits.MAX_CLIENT_EVENT_AGE_MS
  return t < oldest ? 'early' : undefined
}

let lastMs = Number.NaN
let lastText = ''

/**
 * ClickHouse DateTime64(3) text in UTC: '2026-11-22 08:53:17.123'. The last answer is kept: every event of a
 * request, and many requests, share their receive time to the millisecond.
 */
export function chDateTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString().replace('T', ' ').slice(0, 23)
    lastMs = ms
  }
  return lastText
}
