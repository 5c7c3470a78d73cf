export { type BatchEnvelope, batchEnvelope } from './batch'
export { EVENT_NAMES } from './event-names'
export {
  type AliasEvent,
  aliasEvent,
  campaignContext,
  context,
  EVENT_TYPES,
  type EventContext,
  type EventType,
  eventSchemas,
  type GroupEvent,
  groupEvent,
  type IdentifyEvent,
  type IncomingEvent,
  identifyEvent,
  incomingEvent,
  isoDateTime,
  type PageEvent,
  pageContext,
  pageEvent,
  type ScreenEvent,
  screenEvent,
  type TrackEvent,
  trackEvent,
} from './events'
export { isPlainObject, type JsonObject, jsonDepth, jsonObject } from './json'
export * as limits from './limits'
export type { EventRow, EventSource, IdentityRow, RejectedRow } from './rows'
export { type FieldIssue, formatPath, issuesOf, type Validation, validateEvent } from './validate'
