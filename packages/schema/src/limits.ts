/**
 * Every limit of the wire contract, in one place. The collector enforces them and the SDKs respect them.
 * Kept free of runtime dependencies so that the browser SDK can import it without pulling in zod.
 */

/**
 * Largest request body the collector reads, in bytes. Room for tp.js's largest batch, twenty events of
 * MAX_EVENT_BYTES (640 KiB with its own fields): at 512 KiB, as Segment's 500 KB, such a batch was refused whole
 * (413), which tp.js does not send again, and its events were lost. As nginx's default client_max_body_size (1m).
 */
export const MAX_BODY_BYTES = 1024 * 1024
/** Largest single event, serialised, in bytes (Segment's per-call limit). */
export const MAX_EVENT_BYTES = 32 * 1024
/** Most events one batch call may carry. */
export const MAX_EVENTS_PER_BATCH = 1000
/** Deepest nesting of objects and arrays inside properties, traits and context. */
export const MAX_PROPERTY_DEPTH = 8
/**
 * Deepest nesting of a whole event, in any field. Checked first, before anything walks the event recursively
 * (serialising a 50,000-deep object overflowed the stack and answered 500). The per-field limit of properties,
 * traits and context (MAX_PROPERTY_DEPTH) is narrower and names the field.
 */
export const MAX_EVENT_DEPTH = 32
/** Most keys in one properties or traits object (top level). */
export const MAX_PROPERTY_KEYS = 256
/** Longest identifier: messageId, anonymousId, userId, groupId, previousId, sessionId. */
export const MAX_ID_LENGTH = 255
/** Longest event or page name. */
export const MAX_NAME_LENGTH = 200
/** Longest URL or referrer kept. */
export const MAX_URL_LENGTH = 4096
/** Longest user-agent string kept. */
export const MAX_USER_AGENT_LENGTH = 1024
/** Longest free-text field of context (title, locale, timezone, campaign values, library name). */
export const MAX_TEXT_LENGTH = 1024
/** Longest raw payload kept with a rejected event. */
export const MAX_REJECTED_RAW_BYTES = 64 * 1024
/**
 * How far in the past a write-key (untrusted) event's timestamp may lie before the collector replaces it
 * with the receive time: long enough for a browser's offline queue, too short for back-dating.
 */
export const MAX_CLIENT_EVENT_AGE_MS = 7 * 24 * 60 * 60 * 1000
/** How far in the future any event's timestamp may lie (clock skew that correction did not remove). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000
/**
 * A sender's clock within this much of the collector's (sentAt against the receive time) is taken as right.
 * Correcting it would only add the request's transit time, which differs from request to request and would
 * reorder a visitor's quick events that went out in different requests.
 */
export const CLOCK_TOLERANCE_MS = 2000
/** Earliest timestamp a trusted (secret-key) import may carry. */
export const MIN_TRUSTED_TIMESTAMP_MS = Date.UTC(2000, 0, 1)
