/**
 * A lone UTF-16 surrogate, as JSON.stringify writes one: `\ud83d` (half of an emoji). A body without this text has
 * none; one with it may also hold only a pair written as escapes, or an escaped backslash before `ud83d`.
 */
const ESCAPE = ['\\ud', '\\uD'] as const

const wellFormed = (_key: string, value: unknown) =>
  typeof value === 'string' && !value.isWellFormed() ? value.toWellFormed() : value

/** The JSON line with each lone surrogate in its strings replaced by U+FFFD; a line that does not parse, as it is. */
function wellFormedLine(line: string): string {
  if (!ESCAPE.some((e) => line.includes(e))) return line
  try {
    return JSON.stringify(JSON.parse(line), wellFormed)
  } catch {
    return line
  }
}

/**
 * JSONEachRow lines as ClickHouse takes them: a lone surrogate in a string (`"\udaf1"`) made it refuse the whole
 * insert (CANNOT_PARSE_ESCAPE_SEQUENCE), so one event carrying half an emoji (a title cut short by a page, a
 * library or a limit, or a body written that way) stopped loading for good. Such strings get U+FFFD in its place,
 * as a UTF-8 encoder writes one. The search for the escape is a native one over the body; only the lines that
 * hold it are parsed again.
 */
export function wellFormedRows<T extends string | Uint8Array>(body: T): T {
  if (typeof body === 'string') {
    if (!ESCAPE.some((e) => body.includes(e))) return body
    return body.split('\n').map(wellFormedLine).join('\n') as T
  }
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (!ESCAPE.some((e) => bytes.includes(e))) return body
  return Buffer.from(wellFormedRows(bytes.toString('utf8'))) as Uint8Array as T
}
