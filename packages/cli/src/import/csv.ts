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
