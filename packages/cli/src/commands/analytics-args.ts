/** Parsing of the analytics commands' flags into the request bodies the HTTP API takes. */
import { OP_SIGNS } from '@touchpoint/analytics'

/** Each operator by its sign (`in` has none here), the longest first: `!=` is not read as `=`, nor `>=` as `>`. */
const OPS = Object.entries(OP_SIGNS)
  .filter(([op]) => op !== 'in')
  .map(([op, sign]) => [sign, op] as const)
  .sort((a, b) => b[0].length - a[0].length)

/**
 * A step or conversion as `Event Name[field=value, other~part]`: `=` equals, `!=` differs, `~` contains,
 * `>` `>=` `<` `<=` compare numbers. Example: `Page Viewed[path=/pricing]`.
 */
export function parseEventMatch(text: string): Record<string, unknown> {
  const open = text.indexOf('[')
  if (open < 0) return { event: text.trim() }
  if (!text.endsWith(']')) throw new Error(`${text}: expected Event[field=value, …]`)
  const filters = text
    .slice(open + 1, -1)
    .split(',')
    .map((part) => {
      for (const [sym, op] of OPS) {
        const i = part.indexOf(sym)
        if (i > 0) return { property: part.slice(0, i).trim(), op, value: part.slice(i + sym.length).trim() }
      }
      throw new Error(`${part}: expected field=value (or != ~ > >= < <=)`)
    })
  return { event: text.slice(0, open).trim(), filters }
}

/** from/to: given, or the last 30 days up to tomorrow (UTC dates). */
export function dateRange(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const day = 86_400_000
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  const end = to ?? iso(Date.now() + day)
  return { from: from ?? iso(Date.parse(end) - 31 * day), to: end }
}

/** Copies the flags that are set, turning numeric text into numbers where the API wants numbers. */
export function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined))
}

/** `--people dropped:2` or `--people reached:3`: which of a funnel's people to list. */
export function parsePeople(text: string): { outcome: string; step: number } {
  const m = /^(reached|dropped):(\d+)$/.exec(text.trim())
  if (!m) throw new Error(`--people ${text}: expected reached:N or dropped:N, such as dropped:2`)
  return { outcome: m[1]!, step: Number(m[2]) }
}

/** A number flag as the API wants it: a number when it reads as one, else the text, for the API to name. */
export const optionalNumber = (text: string | undefined) =>
  text === undefined ? undefined : /^\d+$/.test(text) ? Number(text) : text

/** How to narrow a conversion (`Event[filters]` text) to the first of its currencies. */
export const byCurrencyFilter = (conversion: string, currencies: string[]) => {
  const only = `currency=${currencies[0]}`
  const narrowed = conversion.endsWith(']')
    ? `${conversion.slice(0, -1)}, ${only}]`
    : `${conversion}[${only}]`
  return `for one currency, narrow the conversion: --conversion "${narrowed}"`
}

/** The options every analytics command takes. */
export const common = {
  project: { type: 'string', default: 'dev' },
  from: { type: 'string' },
  to: { type: 'string' },
  /** the zone of a date-only --from and --to, and of reports by hour, day and week (default: the project's) */
  timezone: { type: 'string' },
  /** previous|year: the same report over the range before, its change beside each main figure */
  compare: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const
