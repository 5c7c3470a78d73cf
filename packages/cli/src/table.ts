/** How a table shows a grouping whose value was not sent (an order without a channel or a currency). */
export const NOT_SET = '(not set)'

/** A count and its noun, the noun in the plural unless it is one: counted(1, 'response'), counted(2, 'person', 'people'). */
export const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** A share as a percentage with one decimal: 0.4567 → 45.7%; empty for none (a rate over nothing). */
export const formatPercent = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`)

/** Rows as an aligned text table, for people; `--json` prints the rows as JSON instead. */
export function formatTable(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)'
  const columns = Object.keys(rows[0]!)
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))))
  const line = (values: string[]) =>
    values
      .map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!)))
      .join('  ')
  return [
    line(columns),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n')
}

/** A span of time for people, in the unit that reads best: 45 s, 12.5 min, 6.2 h, 3.5 days; empty for none. */
export function formatSeconds(x: number | null): string {
  if (x === null) return ''
  if (x < 120) return `${x.toFixed(0)} s`
  if (x < 120 * 60) return `${(x / 60).toFixed(1)} min`
  if (x < 48 * 3600) return `${(x / 3600).toFixed(1)} h`
  return `${(x / 86_400).toFixed(1)} days`
}

/**
 * Rows as CSV (RFC 4180: a header line, CRLF between records, a field with a comma, quote or line break quoted,
 * its quotes doubled), for a spreadsheet. Arrays and objects are written as JSON. A text that a spreadsheet would
 * take for a formula (beginning =, +, -, @, a tab or a carriage return) and that is not a number gets a leading
 * apostrophe: page titles and properties are whatever a visitor's browser sent.
 */
export function formatCsv(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return ''
  const columns = Object.keys(rows[0]!)
  const field = (v: unknown) => {
    let text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
    if (typeof v === 'string' && FORMULA.test(text) && !NUMBER.test(text)) text = `'${text}`
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return `${[columns.map(field), ...rows.map((r) => columns.map((c) => field(r[c])))].map((f) => f.join(',')).join('\r\n')}\r\n`
}
const FORMULA = /^[=+\-@\t\r]/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
