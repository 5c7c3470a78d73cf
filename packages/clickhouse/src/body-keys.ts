/**
 * A `writeKey` field in a refused body, as events_rejected would keep it: JSON as JavaScript writes it or as a
 * client sent it, a string cut short included. Segment libraries may send the key in the body, and a secret key
 * there authenticates as well as in the header, so events_rejected keeps none: the collector redacts new
 * refusals with this pattern, and migration 7 the rows stored before. One pattern for JavaScript and for
 * ClickHouse's RE2.
 */
export const BODY_KEY_PATTERN = String.raw`"writeKey"\s*:\s*"(?:[^"\\]|\\.)*(?:"|$)`

/** What a body's key becomes. */
export const REDACTED_BODY_KEY = '"writeKey":"[redacted]"'
