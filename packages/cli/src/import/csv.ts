/** RFC 4180 CSV: a record is complete when its quotes are balanced (a quoted field may hold newlines). */
export function csvRecordComplete(text: string): boolean {
  let quotes = 0
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) quotes++
  return quotes % 2 === 0
}

/** The fields of one record; `""` inside a quoted field is a quote. */
export function parseCsvRecord(text: string, delimiter = ','): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === delimiter) {
      fields.push(field)
      field = ''
    } else field += c
  }
  fields.push(field)
  return fields
}

const DELIMITERS = [',', ';', '\t'] as const

/**
 * The delimiter a CSV file's header uses: the one of comma, semicolon (spreadsheets in locales whose decimal mark
 * is a comma) and tab that it holds most often outside quotes; a comma when it holds none.
 */
export function detectDelimiter(header: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]))
  let quoted = false
  for (const c of header) {
    if (c === '"') quoted = !quoted
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) as number) + 1)
  }
  return DELIMITERS.reduce((best, d) => ((counts.get(d) as number) > (counts.get(best) as number) ? d : best))
}

/** `--delimiter`: a character, or `tab`; undefined leaves it to the header. */
export function delimiterOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value === 'tab' || value === '\\t') return '\t'
  if (value.length !== 1 || value === '"' || value === '\n' || value === '\r')
    throw new Error(
      `--delimiter ${JSON.stringify(value)}: one character other than a quote or a line end, or tab`,
    )
  return value
}

/** Text without the byte order mark that spreadsheets put before a UTF-8 export's first line. */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
