/**
 * Reading one field of a flat JSON object (a row as rowJson writes it: every value a string, a number or null)
 * without parsing the rest. In such a line `"key":` can only be a key: inside a string value every quote is
 * escaped, so the quote that closes `key` would read `\"`.
 */

/** The string value of `key` at or after `from`, or '' where the key is absent (rowJson leaves empty strings out). */
export function stringField(json: string, key: string, from = 0): string {
  const marker = `"${key}":"`
  const at = json.indexOf(marker, from)
  if (at < 0) return ''
  const start = at + marker.length
  let end = json.indexOf('"', start)
  // a quote preceded by an odd number of backslashes is escaped, part of the value
  while (end > 0 && backslashesBefore(json, end) % 2 === 1) end = json.indexOf('"', end + 1)
  if (end < 0) return ''
  const raw = json.slice(start, end)
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
}

/** The number value of `key` at or after `from`, or NaN where the key is absent or not a number. */
export function numberField(json: string, key: string, from = 0): number {
  const marker = `"${key}":`
  const at = json.indexOf(marker, from)
  if (at < 0) return Number.NaN
  const start = at + marker.length
  let end = start
  // the characters a JSON number may hold; Number() refuses what is not one
  while (end < json.length && '-+.eE0123456789'.includes(json[end]!)) end++
  return end > start ? Number(json.slice(start, end)) : Number.NaN
}

/** Every string in a JSON text, decoded, whether or not the text is whole (a refused call's raw payload is cut). */
export function jsonStrings(text: string): string[] {
  const out: string[] = []
  for (const [token] of text.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    try {
      out.push(JSON.parse(token) as string)
    } catch {
      // an escape JSON does not know (text that was not JSON): the characters between the quotes as they are
      out.push(token.slice(1, -1))
    }
  }
  return out
}

function backslashesBefore(text: string, at: number): number {
  let n = 0
  while (at - n - 1 >= 0 && text.charCodeAt(at - n - 1) === 92) n++
  return n
}
