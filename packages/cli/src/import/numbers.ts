/**
 * Numbers as spreadsheets write them in CSV exports, for `touchpoint import` and `touchpoint spend`: plain
 * (1234.56, -3, 1e3), grouped in thousands (1,234.56 · 1.234,56 · 1 234,56 · 1'234.56), or with a decimal comma
 * (12,50). Only one form reads two ways: one separator followed by three digits, as in "1,234", which is 1234 where
 * the decimal mark is a point and 1.234 where it is a comma. The file's decimal mark settles it: `--decimal`, or by
 * default a comma in a file split by semicolons (spreadsheets split by them where the decimal mark is a comma) and
 * a point otherwise.
 */

export type DecimalMark = '.' | ','

/** The decimal mark of a file split by `delimiter`, unless one is given. */
export const decimalMarkOf = (delimiter: string, given?: DecimalMark): DecimalMark =>
  given ?? (delimiter === ';' ? ',' : '.')

/** `--decimal`: a point or a comma; undefined leaves it to the file's delimiter. */
export function decimalOption(value: string | undefined): DecimalMark | undefined {
  if (value === undefined || value === '.' || value === ',') return value
  throw new Error(`--decimal ${JSON.stringify(value)}: the decimal mark, "." or ","`)
}

const EXPONENT = /^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i
// digits in groups of three, by a space, a no-break space, a narrow one or an apostrophe: the separator is left out
const SPACED = /(\d)[ \u00a0\u202f'](?=\d{3}(?!\d))/g
// digits grouped in thousands by a point or a comma, made once: a file's every number cell is read with them
const GROUPS: Record<string, RegExp> = { '.': /^[1-9]\d{0,2}(\.\d{3})+$/, ',': /^[1-9]\d{0,2}(,\d{3})+$/ }
const GROUPED = (sep: string) => GROUPS[sep] as RegExp

/** Why `text` is not a number; the decimal mark is named when the text is digits and separators, such as "1,2,3". */
export const notANumber = (text: string, decimal: DecimalMark): string =>
  `"${text}" is not a number${/^[\d\s.,'+-]+$/.test(text) ? ` with the decimal mark "${decimal}" (--decimal says which)` : ''}`

/** `text` as a number, or NaN when it is not one in any of the forms above. */
export function spreadsheetNumber(text: string, decimal: DecimalMark): number {
  const trimmed = text.trim()
  if (EXPONENT.test(trimmed)) return Number(trimmed)
  const m = /^([+-]?)([\d.,]+)$/.exec(trimmed.replace(SPACED, '$1'))
  if (!m) return Number.NaN
  const [, sign, body] = m as unknown as [string, string, string]
  const point = body.lastIndexOf('.')
  const comma = body.lastIndexOf(',')
  // with both, the one nearer the end is the decimal mark and the other groups; with one kind, several group, and
  // a single one is the decimal mark unless it reads as a thousands group ("1,234") and the file's mark is the other
  let mark: string | undefined
  let group: string | undefined
  if (point >= 0 && comma >= 0) [mark, group] = point > comma ? ['.', ','] : [',', '.']
  else if (point >= 0 || comma >= 0) {
    const sep = point >= 0 ? '.' : ','
    const single = body.indexOf(sep) === Math.max(point, comma)
    if (single && !(GROUPED(sep).test(body) && sep !== decimal)) mark = sep
    else group = sep
  }
  const [whole = '', fraction, extra] = mark ? body.split(mark) : [body]
  if (extra !== undefined || (mark !== undefined && !/^\d+$/.test(fraction ?? ''))) return Number.NaN
  if (group ? !GROUPED(group).test(whole) : !/^\d*$/.test(whole)) return Number.NaN
  if (whole === '' && !fraction) return Number.NaN
  const digits = group ? whole.split(group).join('') : whole
  return Number(`${sign}${digits || '0'}${fraction ? `.${fraction}` : ''}`)
}
