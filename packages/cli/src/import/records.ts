import { createReadStream } from 'node:fs'
import { withoutBom } from './csv'

/** One record of the input: its text, the number of its first line, and the byte offset just after it. */
export interface SourceRecord {
  text: string
  line: number
  end: number
}

const NEWLINE = 0x0a

/**
 * The lines of a file from a byte offset, with the offset after each, read in 1 MiB chunks so a file of any size
 * takes constant memory. `complete` lets CSV join the lines of a quoted field that spans several. A byte order
 * mark at the start of the file is left out.
 */
export async function* readRecords(
  path: string,
  start: { offset: number; line: number },
  complete: (text: string) => boolean = () => true,
): AsyncGenerator<SourceRecord> {
  let offset = start.offset
  let line = start.line
  let carry: Buffer = Buffer.alloc(0)
  let pending: { text: string; line: number } | undefined
  // the file's first line may begin with a byte order mark (a spreadsheet's UTF-8 export): not part of the text
  let first = offset === 0
  const emit = (raw: Buffer, lineNo: number): SourceRecord | undefined => {
    let text = raw.toString('utf8')
    if (first && ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff)))
      throw new Error(
        `${path} is UTF-16 (a spreadsheet's "Unicode text" or "Excel CSV"): save it as "CSV UTF-8", or convert it with iconv -f UTF-16 -t UTF-8`,
      )
    if (first) {
      text = withoutBom(text)
      first = false
    }
    if (text.endsWith('\r')) text = text.slice(0, -1)
    const joined = pending ? { text: `${pending.text}\n${text}`, line: pending.line } : { text, line: lineNo }
    if (!complete(joined.text)) {
      pending = joined
      return undefined
    }
    pending = undefined
    return { ...joined, end: offset }
  }
  for await (const chunk of createReadStream(path, { start: start.offset, highWaterMark: 1 << 20 })) {
    let buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer)
    let from = 0
    for (let nl = buf.indexOf(NEWLINE, from); nl !== -1; nl = buf.indexOf(NEWLINE, from)) {
      const raw = buf.subarray(from, nl)
      offset += nl - from + 1
      from = nl + 1
      const record = emit(raw, line++)
      if (record && record.text.trim() !== '') yield record
    }
    buf = buf.subarray(from)
    carry = Buffer.from(buf)
  }
  if (carry.length || pending) {
    offset += carry.length
    const record = emit(carry, line++)
    if (record && record.text.trim() !== '') yield record
    else if (pending) yield { ...pending, end: offset }
  }
}
