import type { Compared } from '@touchpoint/analytics'
import { formatPercent, formatTable } from '../table'

// What `--compare previous|year` adds to a report's text: the change of its main figures from the range before

/**
 * The change of a count or an amount, relative: +12.5%, −8.0% (−100.0% for none now), `new` for something the
 * range before had none of, '' where both had none, and nothing at all where there was no range before. With `of`,
 * for a figure per something (views a session, an order's average), the counts it is per in each range: none now
 * is no figure, and none before makes it `new`.
 */
export function change(now: number, before: number | undefined, of?: readonly [number, number]): string {
  if (before === undefined) return ''
  const none = unmeasured(of)
  if (none !== undefined) return none
  if (before === 0) return now === 0 ? '' : 'new'
  return signed(((now - before) / before) * 100, '%')
}

/**
 * A figure per something, or a share of it, where a range had none of that something (`of`, this range's count and
 * the range before's): no change for none now, `new` for none before; undefined where both had some.
 */
const unmeasured = (of: readonly [number, number] | undefined) =>
  of?.[0] === 0 ? '' : of?.[1] === 0 ? 'new' : undefined

/** The change of a count or an amount after it in a sentence: ` (Δ +12.5%)`, or nothing. */
export const changeNote = (now: number, before: number | undefined) => {
  const text = change(now, before)
  return text ? ` (Δ ${text})` : ''
}

/**
 * The change of a rate (a share), in percentage points: +1.2 pp. With `of`, the counts each range's rate is a
 * share of (sessions, people): `new` where the range before had none, so no rate to change from, and '' where this
 * range has none. A range with no sessions has no bounce rate; the reports' 0 for it is no 0%.
 */
export const pointsChange = (now: number, before: number | undefined, of?: readonly [number, number]) =>
  before === undefined ? '' : (unmeasured(of) ?? signed((now - before) * 100, ' pp'))

/** A rate as a percentage, or '' where there was nothing to take it of (no sessions, no customers). */
export const share = (rate: number, of: number) => (of === 0 ? '' : formatPercent(rate))

/** The change of a score (NPS), in its points: +3.0. */
export const scoreChange = (now: number, before: number | undefined) =>
  before === undefined ? '' : signed(now - before, '')

const signed = (x: number, unit: string) => {
  const text = Math.abs(x).toFixed(1)
  return text === '0.0' ? `0.0${unit}` : `${x > 0 ? '+' : '−'}${text}${unit}`
}

/** What the Δ columns compare with, as the report's first line: the range before and how it was chosen. */
export function comparedHead(r: Compared<object>): string {
  const range = r.previousRange
  if (!range) return ''
  const how = range.compare === 'year' ? 'the same range a year before' : 'the range before'
  return `Δ: the change from ${range.from} – ${range.to}, ${how}\n`
}

/**
 * The range before's figures for each key of this range's rows: its row, `{}` for a key it did not have (so each
 * figure was none, and its change reads `new`), and undefined for every key where no range was compared with.
 */
export function rowsBefore<R>(
  before: readonly R[] | undefined,
  keyOf: (row: R) => string,
): (key: string) => Partial<R> | undefined {
  if (!before) return () => undefined
  const byKey = new Map(before.map((row) => [keyOf(row), row]))
  return (key) => byKey.get(key) ?? {}
}

/** One figure of the range before's row: none where the row was not there, nothing where nothing was compared. */
export const was = <R>(before: Partial<R> | undefined, figure: keyof R): number | undefined =>
  before === undefined
    ? undefined
    : (((before as Record<keyof R, unknown>)[figure] as number | undefined) ?? 0)

/**
 * A report's figures as a table: the range's row, and with --compare, the range before's beneath it and a row of
 * the changes (`changes` gives each column's).
 */
export function figuresTable<R extends object>(
  r: Compared<R>,
  figures: (x: R) => Record<string, unknown>,
  changes: (now: R, before: R) => Record<string, string>,
): string {
  const { previous, previousRange } = r
  if (!previous || !previousRange) return formatTable([figures(r)])
  return formatTable([
    { range: 'this range', ...figures(r) },
    { range: `${previousRange.from} – ${previousRange.to}`, ...figures(previous) },
    { range: 'Δ', ...changes(r, previous) },
  ])
}
