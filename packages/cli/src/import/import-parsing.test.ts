import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { csvRecordComplete, delimiterOption, detectDelimiter, parseCsvRecord } from './csv'
import { buildMapping, rowToEvent } from './mapping'
import { readRecords } from './records'

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('readRecords', () => {
  it('gives each line with its number and the byte offset after it, from any offset', async () => {
    const path = join(tmpdir(), `tp-records-${process.pid}.ndjson`)
    writeFileSync(path, 'a\r\nbé\n\nc')
    const all = await collect(readRecords(path, { offset: 0, line: 1 }))
    expect(all).toEqual([
      { text: 'a', line: 1, end: 3 },
      { text: 'bé', line: 2, end: 7 },
      { text: 'c', line: 4, end: 9 },
    ])
    expect(await collect(readRecords(path, { offset: 3, line: 2 }))).toEqual(all.slice(1))
  })

  it("leaves out the byte order mark before a spreadsheet export's first line, counting its bytes", async () => {
    const path = join(tmpdir(), `tp-records-bom-${process.pid}.csv`)
    writeFileSync(path, '\ufeffrespondent,score\r\nc-1,9\r\n')
    expect(await collect(readRecords(path, { offset: 0, line: 1 }, csvRecordComplete))).toEqual([
      { text: 'respondent,score', line: 1, end: 21 },
      { text: 'c-1,9', line: 2, end: 28 },
    ])
  })

  it('refuses a UTF-16 file, saying how to make it UTF-8, rather than read its bytes as text', async () => {
    const path = join(tmpdir(), `tp-records-utf16-${process.pid}.csv`)
    writeFileSync(
      path,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('respondent\tscore\r\n', 'utf16le')]),
    )
    await expect(collect(readRecords(path, { offset: 0, line: 1 }, csvRecordComplete))).rejects.toThrow(
      `${path} is UTF-16 (a spreadsheet's "Unicode text" or "Excel CSV"): save it as "CSV UTF-8"`,
    )
  })

  it('joins the lines of a quoted CSV field', async () => {
    const path = join(tmpdir(), `tp-records-${process.pid}.csv`)
    writeFileSync(path, 'h1,h2\n1,"two\nlines"\n2,x\n')
    const records = await collect(readRecords(path, { offset: 0, line: 1 }, csvRecordComplete))
    expect(records.map((r) => [r.line, r.text])).toEqual([
      [1, 'h1,h2'],
      [2, '1,"two\nlines"'],
      [4, '2,x'],
    ])
  })
})

describe('CSV', () => {
  it('parses quotes, doubled quotes, empty fields and delimiters inside quotes', () => {
    expect(parseCsvRecord('a,"b,c","say ""hi""",,e')).toEqual(['a', 'b,c', 'say "hi"', '', 'e'])
    expect(csvRecordComplete('a,"open')).toBe(false)
    expect(csvRecordComplete('a,"closed"')).toBe(true)
  })

  it('splits by the delimiter the header holds most outside quotes: comma, semicolon or tab', () => {
    expect(detectDelimiter('respondent;submitted;"score, 0-10"')).toBe(';')
    expect(detectDelimiter('a\tb\tc')).toBe('\t')
    expect(detectDelimiter('"a;b",c')).toBe(',')
    expect(detectDelimiter('only')).toBe(',')
    expect(parseCsvRecord('c-1;"9,5";"say ""hi"""', ';')).toEqual(['c-1', '9,5', 'say "hi"'])
    expect(delimiterOption('tab')).toBe('\t')
    expect(delimiterOption('|')).toBe('|')
    expect(delimiterOption(undefined)).toBeUndefined()
    expect(() => delimiterOption('"')).toThrow(/one character other than a quote/)
    expect(() => delimiterOption(';;')).toThrow(/one character/)
  })
})

describe('column mapping', () => {
  const header = ['customer', 'amount', 'vip', 'when']

  it('places typed values at their paths, with constants, and leaves empty cells out', () => {
    const m = buildMapping(
      header,
      ['userId=customer', 'properties.revenue:number=amount', 'traits.vip:boolean=vip', 'timestamp=when'],
      ['event=Order Completed', 'properties.currency=EUR'],
    )
    expect(rowToEvent(header, ['c1', '12.50', 'yes', ''], m)).toEqual({
      event: 'Order Completed',
      userId: 'c1',
      properties: { currency: 'EUR', revenue: 12.5 },
      traits: { vip: true },
    })
  })

  it('maps each column to the field its header names when no --map is given', () => {
    const h = ['type', 'event', 'userId', 'properties.answer:number']
    expect(rowToEvent(h, ['track', 'Survey Answered', 'u', '9'], buildMapping(h, [], []))).toEqual({
      type: 'track',
      event: 'Survey Answered',
      userId: 'u',
      properties: { answer: 9 },
    })
  })

  it('says what is wrong with a row or a mapping', () => {
    const m = buildMapping(header, ['properties.revenue:number=amount'], [])
    expect(() => rowToEvent(header, ['c', 'lots', '', ''], m)).toThrow(
      expect.objectContaining({
        path: 'properties.revenue',
        message: 'column amount: "lots" is not a number',
      }),
    )
    // as a spreadsheet writes numbers: grouped, and with the file's decimal mark (a comma where fields are split by
    // semicolons, numbers.test.ts)
    expect(rowToEvent(header, ['c', '1,234.50', '', ''], m)).toMatchObject({
      properties: { revenue: 1234.5 },
    })
    expect(() => rowToEvent(header, ['c', '1,2,3', '', ''], m)).toThrow(
      'column amount: "1,2,3" is not a number with the decimal mark "." (--decimal says which)',
    )
    const commas = buildMapping(header, ['properties.revenue:number=amount'], [], ',')
    expect(rowToEvent(header, ['c', '144,50', '', ''], commas)).toMatchObject({
      properties: { revenue: 144.5 },
    })
    expect(() => rowToEvent(header, ['c'], m)).toThrow('the row has 1 fields; the header has 4')
    expect(() => buildMapping(header, ['userId=nope'], [])).toThrow('the file has no column "nope"')
    expect(() => buildMapping(header, ['properties.x:date=amount'], [])).toThrow(/the type must be one of/)
    expect(() => buildMapping(header, ['__proto__.polluted=amount'], [])).toThrow(/not a usable field path/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
