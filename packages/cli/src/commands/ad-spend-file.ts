import { type AdSpendRow, adSpendInput } from '@touchpoint/clickhouse'
import { csvRecordComplete, detectDelimiter, parseCsvRecord, withoutBom } from '../import/csv'
import { type DecimalMark, decimalMarkOf, notANumber, spreadsheetNumber } from '../import/numbers'

/** The columns of an ad spend file: day, source, cost and currency it must have; the others may be left out or empty. */
const COLUMNS = ['day', 'source', 'medium', 'campaign', 'cost', 'currency', 'clicks', 'impressions'] as const
const REQUIRED = ['day', 'source', 'cost', 'currency'] as const
const NUMBERS = new Set(['cost', 'clicks', 'impressions'])
/** how far down an export's own lines (a report's title, its dates) may put the header */
const HEADER_WITHIN = 10
/** the summary rows an ad platform puts under a report ("Total: Account", "Total: Search campaigns") */
const TOTAL = /^total\b/i

/** How a file's columns are read: `map` a field from a column of another name, `set` a field for every row. */
export interface SpendColumns {
  map?: Record<string, string>
  set?: Record<string, string>
  /** the decimal mark of the file's numbers; by default a comma in a file split by semicolons, else a point */
  decimal?: DecimalMark
}

/** A file's rows, each with its line, and the lines left out: those above the header, and report totals. */
export interface SpendFile {
  rows: Array<{ line: number; row: Omit<AdSpendRow, 'channel'> }>
  above: number
  totals: number[]
}

const isField = (name: string) => (COLUMNS as readonly string[]).includes(name)

/** `field=value` options (--map, --set) as a record, each field one of the file's. */
export function fieldOptions(option: string, pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    const field = pair.slice(0, eq).trim().toLowerCase()
    if (eq < 1 || !isField(field))
      throw new Error(`--${option} ${pair}: expected FIELD=VALUE, FIELD one of ${COLUMNS.join(', ')}`)
    out[field] = pair.slice(eq + 1).trim()
  }
  return out
}

/**
 * The text of a file's bytes: UTF-8, or UTF-16 when it starts with UTF-16's byte order mark (the "Excel CSV" or
 * "Unicode text" some ad platforms and spreadsheets export), without the mark.
 */
export function textOf(bytes: Uint8Array): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : 'utf-8'
  return withoutBom(new TextDecoder(encoding).decode(bytes))
}

/** The CSV records of a file's text, each with the line it starts on; a quoted field may hold line ends. */
function records(lines: string[], delimiter: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = []
  let pending = ''
  let start = 0
  lines.forEach((line, i) => {
    if (!pending) start = i + 1
    pending = pending ? `${pending}\n${line}` : line
    if (!csvRecordComplete(pending)) return
    if (pending.trim()) out.push({ line: start, fields: parseCsvRecord(pending, delimiter) })
    pending = ''
  })
  if (pending) throw new Error(`line ${start}: a quoted field is not closed`)
  return out
}

/**
 * The header and the rows beneath it. The header is the first of the file's first lines that names every column
 * the file must have (by --map or by the fields' names), so a report's title and dates above it are left out; the
 * delimiter is the one that header uses. Without such a line, no columns (headerError says why, of line 1).
 */
function headerAndRows(text: string, columnsOf: (names: string[]) => Map<string, number> | undefined) {
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < Math.min(lines.length, HEADER_WITHIN); i++) {
    const delimiter = detectDelimiter(lines[i] as string)
    const names = parseCsvRecord(lines[i] as string, delimiter).map((f) => f.trim().toLowerCase())
    const columns = columnsOf(names)
    if (columns) {
      const rows = records(lines.slice(i + 1), delimiter).map((r) => ({ ...r, line: r.line + i + 1 }))
      return { names, columns, rows, delimiter, above: i }
    }
  }
  return { names: undefined, columns: undefined, rows: [], delimiter: ',', above: 0 }
}

/**
 * An ad spend file's rows, checked as the collector checks them (adSpendInput), with the line and column of the
 * first that is not right. The header names the columns, in any order, by the fields' names or, with `map`, by
 * the names an ad platform's export gives them (`--map cost="Cost (EUR)"`), whose other columns are then left
 * alone; without `map` a column of another name is refused, so a typo in one does not drop its figures. `set`
 * gives a field one value for every row (`--set source=google`), where the file has no column for it. An
 * export's lines above its header, and its report totals beneath (rows whose first cell starts with "Total"),
 * are left out and counted. Numbers may be written as spreadsheets write them (1,234.56; 1.234,56).
 */
export function parseSpendCsv(file: string, { map = {}, set = {}, decimal }: SpendColumns = {}): SpendFile {
  const text = withoutBom(file)
  const mapped = Object.keys(map).length > 0
  // each field's column: the one --map names, else the one of its own name; undefined until all it needs are there
  const columnsOf = (names: string[]) => {
    const columns = new Map<string, number>()
    for (const field of COLUMNS) {
      const i = names.indexOf((map[field] ?? field).toLowerCase())
      if (set[field] === undefined && i >= 0) columns.set(field, i)
    }
    const complete = REQUIRED.every((f) => columns.has(f) || set[f] !== undefined)
    const mappedThere = Object.keys(map).every((f) => set[f] !== undefined || columns.has(f))
    return complete && mappedThere ? columns : undefined
  }
  const found = headerAndRows(text, columnsOf)
  if (!found.columns) throw headerError(text, map, set)
  if (!mapped) {
    const unknown = unknownColumn(found.names, found.above + 1)
    if (unknown) throw unknown
  }
  const mark = decimalMarkOf(found.delimiter, decimal)
  const totals: number[] = []
  const rows: SpendFile['rows'] = []
  for (const { line, fields } of found.rows) {
    const first = fields.find((f) => f.trim() !== '')
    if (first === undefined) continue
    if (TOTAL.test(first.trim())) {
      totals.push(line)
      continue
    }
    rows.push({ line, row: rowOf(line, fields, found.columns, set, mark) })
  }
  return { rows, above: found.above, totals }
}

/** One row's fields as an ad spend row, or the line and field of what is not right. */
function rowOf(
  line: number,
  fields: string[],
  columns: Map<string, number>,
  set: Record<string, string>,
  decimal: DecimalMark,
): Omit<AdSpendRow, 'channel'> {
  const raw: Record<string, unknown> = {}
  for (const field of COLUMNS) {
    const i = columns.get(field)
    const value = (i === undefined ? set[field] : fields[i])?.trim()
    if (value === undefined || (value === '' && field !== 'source')) continue
    const n = NUMBERS.has(field) ? spreadsheetNumber(value, decimal) : 0
    if (Number.isNaN(n)) throw new Error(`line ${line}: ${field}: ${notANumber(value, decimal)}`)
    raw[field] = NUMBERS.has(field) ? n : value
  }
  const parsed = adSpendInput.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`line ${line}: ${issue?.path.join('.') || 'row'}: ${issue?.message}`)
  }
  return parsed.data
}

/** Without --map, a header's column of another name than a field's: refused, so a typo does not drop figures. */
function unknownColumn(names: string[], line: number): Error | undefined {
  const unknown = names.find((name) => !isField(name))
  return unknown === undefined
    ? undefined
    : new Error(
        `line ${line}: unknown column "${unknown}"; the columns are ${COLUMNS.join(', ')} (--map FIELD=COLUMN reads one by another name)`,
      )
}

/** Why no line near the top of a file is its header, said of its first line. */
function headerError(text: string, map: Record<string, string>, set: Record<string, string>): Error {
  const first = text.split(/\r?\n/, 1)[0] ?? ''
  if (!first.trim()) return new Error('the file is empty: its first line names the columns')
  const names = parseCsvRecord(first, detectDelimiter(first)).map((f) => f.trim().toLowerCase())
  for (const [field, column] of Object.entries(map))
    if (set[field] === undefined && !names.includes(column.toLowerCase()))
      return new Error(`line 1: no column "${column}" for --map ${field}`)
  if (Object.keys(map).length === 0) {
    const unknown = unknownColumn(names, 1)
    if (unknown) return unknown
  }
  const missing = REQUIRED.find((f) => set[f] === undefined && !names.includes((map[f] ?? f).toLowerCase()))
  return new Error(
    `line 1: the column ${missing} is missing (--map ${missing}=COLUMN, or --set ${missing}=VALUE for every row)`,
  )
}
