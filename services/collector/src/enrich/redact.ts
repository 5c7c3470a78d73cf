import type { IncomingEvent } from '@touchpoint/schema'

/** What a redacted value reads, as GA4's data redaction writes it. */
export const REDACTED_TEXT = '(redacted)'

/**
 * Query and fragment parameters whose values are credentials or payment data. A site that puts them in a URL (a
 * form sent by GET, an OAuth redirect's `#access_token`, a password-reset link) would otherwise have them stored
 * with every page view, and with the next page's referrer. Names are compared without case.
 */
export const SECRET_PARAMS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'api_key',
  'apikey',
  'card',
  'cardnumber',
  'card_number',
  'cc',
  'ccnum',
  'cc_number',
  'cvc',
  'cvv',
  'cvv2',
  'iban',
  'ssn',
])
const ASCII_LOWER = 0x20

/** The parameters whose values are redacted: SECRET_PARAMS and a project's own (`redactParams`). */
export interface SecretNames {
  /** lower case */
  names: ReadonlySet<string>
  /**
   * The characters a parameter's raw name can start with and still be one of `names`: their first letters
   * (compared without case) and the start of an encoded character. Most names (utm_*, for one) fail this at once.
   */
  starts: ReadonlySet<number>
  /** The longest of `names`, raw: an encoded name is longer than its decoding, so only it may be longer. */
  longest: number
}

/** SECRET_PARAMS, and `extra` names besides (a project's `redactParams`), compared without case. */
export function secretNames(extra: readonly string[] = []): SecretNames {
  const names = new Set([...SECRET_PARAMS, ...extra.map((name) => name.toLowerCase())])
  const starts = new Set<number>([0x25, 0x2b])
  for (const name of names) starts.add(name.charCodeAt(0) | ASCII_LOWER)
  return { names, starts, longest: Math.max(...[...names].map((name) => name.length)) }
}

/** The names every project redacts. */
export const DEFAULT_SECRETS = secretNames()

// characters of an address's local part (with % for encoded ones, as in ada%2Bnews) and of its domain
const LOCAL = /[A-Za-z0-9._%+-]/
const DOMAIN = /[A-Za-z0-9.-]/
const TLD = /\.[A-Za-z]{2,}$/

/** The length of the at sign at `i`: 1 for `@`, 3 for its URL encoding `%40`, 0 for none. */
function atSign(text: string, i: number): number {
  if (text[i] === '@') return 1
  if (text[i] === '%' && text[i + 1] === '4' && text[i + 2] === '0') return 3
  return 0
}

/**
 * `text` with every email address in it, plain or URL-encoded, replaced by REDACTED_TEXT; the same string when
 * there is none. Each at sign is widened to its address by scanning out from it, so the work is linear in the
 * text's length whatever it holds (a regular expression here could backtrack on a hostile URL).
 */
export function redactEmails(text: string): string {
  if (!text.includes('@') && !text.includes('%40')) return text
  let out = ''
  let done = 0 // text before this is in `out`
  let floor = 0 // a local part starts after the last at sign: no stretch of the text is scanned twice
  for (let i = 0; i < text.length; i++) {
    const at = atSign(text, i)
    if (!at) continue
    let start = i
    while (start > floor && LOCAL.test(text[start - 1]!)) start--
    floor = i + at
    let end = i + at
    while (end < text.length && DOMAIN.test(text[end]!)) end++
    // a domain does not end in a dot or a dash (trimmed by hand: a regular expression would backtrack on a run)
    while (end > i + at && (text[end - 1] === '.' || text[end - 1] === '-')) end--
    const domain = text.slice(i + at, end)
    if (start === i || !domain.includes('.') || !TLD.test(domain)) continue
    out += text.slice(done, start) + REDACTED_TEXT
    done = floor = end
    i = end - 1
  }
  return done === 0 ? text : out + text.slice(done)
}

/**
 * `name=value&…` with the values of the secret names replaced; the same string when none is there. One pass with no
 * array or decoding for the usual names: it runs on the request path, for the parameters of every page's URL.
 */
function redactParams(params: string, secrets: SecretNames): string {
  let out = ''
  let done = 0 // params before this are in `out`
  let eq = -1 // the next '=' at or after the current parameter (only moves forward)
  for (let start = 0; start < params.length; ) {
    let end = params.indexOf('&', start)
    if (end < 0) end = params.length
    if (eq < start && eq !== params.length) {
      eq = params.indexOf('=', start)
      if (eq < 0) eq = params.length
    }
    if (
      eq > start &&
      eq < end &&
      secrets.starts.has(params.charCodeAt(start) | ASCII_LOWER) &&
      secrets.names.has(paramName(params.slice(start, eq), secrets.longest))
    ) {
      out += params.slice(done, eq + 1) + REDACTED_TEXT
      done = end
    }
    start = end + 1
  }
  return done === 0 ? params : out + params.slice(done)
}

function paramName(raw: string, longest: number): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw.length > longest ? '' : raw.toLowerCase()
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase()
  } catch {
    return raw.toLowerCase()
  }
}

/**
 * `part` with the parameters after its first `?` redacted; a fragment without a `?` is taken as parameters whole
 * (an OAuth redirect's `#access_token=…`), where a hash-routed app's `#/reset?token=…` has them after the `?`.
 */
function redactPart(part: string, isFragment: boolean, secrets: SecretNames): string {
  const q = part.indexOf('?')
  if (q < 0) return isFragment ? redactParams(part, secrets) : part
  const params = part.slice(q + 1)
  const redacted = redactParams(params, secrets)
  // the same string back when nothing changed, so that the caller's check for a change stays cheap
  return redacted === params ? part : part.slice(0, q + 1) + redacted
}

/**
 * A URL (or a part of one: a path, a `?query`) with its email addresses and its secret parameters' values
 * redacted, in the query and in the fragment; the same text when nothing needed it.
 */
export function redactUrl(url: string, secrets: SecretNames = DEFAULT_SECRETS): string {
  const text = redactEmails(url)
  const h = text.indexOf('#')
  if (h < 0) return redactPart(text, false, secrets)
  const [head, fragment] = [text.slice(0, h), text.slice(h + 1)]
  const [redactedHead, redactedFragment] = [
    redactPart(head, false, secrets),
    redactPart(fragment, true, secrets),
  ]
  return redactedHead === head && redactedFragment === fragment ? text : `${redactedHead}#${redactedFragment}`
}

type Fields = Record<string, unknown>

/** `obj` with `redact` applied to its string `keys`: a copy if any of them changed, `obj` itself if none did. */
function redactFields<T extends Fields | undefined>(
  obj: T,
  keys: readonly string[],
  redact: (text: string) => string,
): T {
  if (!obj) return obj
  let out: Fields | undefined
  for (const key of keys) {
    const value = obj[key]
    if (typeof value !== 'string') continue
    const redacted = redact(value)
    if (redacted === value) continue
    out ??= { ...obj }
    out[key] = redacted
  }
  return (out ?? obj) as T
}

const PAGE_URL_FIELDS = ['url', 'referrer', 'search', 'path']
const CAMPAIGN_FIELDS = ['name', 'source', 'medium', 'term', 'content']
const redactPage = <T extends Fields | undefined>(page: T, secrets: SecretNames): T =>
  redactFields(
    redactFields(page, PAGE_URL_FIELDS, (url) => redactUrl(url, secrets)),
    ['title'],
    redactEmails,
  )

/**
 * A call as the collector keeps it: email addresses and secret parameters redacted in its page fields (context's
 * and, for page and screen calls, the properties' url, referrer, search, path and title), its referrer and its
 * campaign tags. Done on acceptance, before the call is spooled or produced, so neither the disk, Kafka nor the
 * table ever holds them. Traits and other properties are the sender's own data and are kept as sent. The same
 * object comes back when nothing needed redacting, which is nearly always. `secrets`: the project's (secretNames).
 */
export function redactCall<E extends IncomingEvent>(event: E, secrets: SecretNames = DEFAULT_SECRETS): E {
  let out = event
  const ctx = event.context
  if (ctx) {
    const page = redactPage(ctx.page, secrets)
    const referrer = redactFields(ctx.referrer, ['url'], (url) => redactUrl(url, secrets))
    const campaign = redactFields(ctx.campaign, CAMPAIGN_FIELDS, redactEmails)
    if (page !== ctx.page || referrer !== ctx.referrer || campaign !== ctx.campaign)
      out = { ...out, context: { ...ctx, page, referrer, campaign } }
  }
  if ((event.type === 'page' || event.type === 'screen') && event.properties) {
    const properties = redactPage(event.properties, secrets)
    if (properties !== event.properties) out = { ...out, properties }
  }
  return out
}
