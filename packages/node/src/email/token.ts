import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'

/**
 * Signed email tracking tokens: compact, URL-safe, and unforgeable without a key.
 *
 * token = base64url(JSON claims) "." base64url(first 16 bytes of HMAC-SHA256(secret, "tp-email.v1." + payload))
 *
 * The 128-bit MAC is compared in constant time. The claims carry the key id, so keys rotate: verification takes
 * every configured key, and a token keeps working while the key that signed it is still configured. A click
 * token carries its target, so neither the target nor any other claim can change without breaking the MAC.
 */
export interface EmailKey {
  id: string
  /** At least 32 characters of secret. */
  secret: string
}

export interface EmailClaims {
  campaignId: string
  emailId: string
  /** The customer's id, or a keyed hash of their email address (never the address itself). */
  recipient: string
  /** Send time, seconds since the epoch. */
  sentAt: number
}

export type OpenClaims = EmailClaims & { kind: 'open' }
export type ClickClaims = EmailClaims & { kind: 'click'; target: string; linkId?: string | undefined }
/**
 * The hand-off a click redirect adds to its target, so the landing page's browser can be linked to the
 * recipient. Its `sentAt` is when the redirect issued it; the collector accepts it only for a short while.
 */
export type HandoffClaims = EmailClaims & { kind: 'handoff' }
export type Claims = OpenClaims | ClickClaims | HandoffClaims

const KIND_CODES = { open: 'o', click: 'c', handoff: 'h' } as const

export type Verification =
  | { ok: true; claims: Claims; keyId: string }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' }

const VERSION = 1
const CONTEXT = 'tp-email.v1.'
const MAC_BYTES = 16
/** Tokens longer than this are refused before any work (a target URL fits easily). */
export const MAX_TOKEN_LENGTH = 4096

/** Secrets prepared once as key objects: preparing a string key on every HMAC showed in the pixel's profile. */
const keyObjects = new Map<string, KeyObject>()
const keyObject = (secret: string) => {
  let key = keyObjects.get(secret)
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'))
    if (keyObjects.size >= 64) keyObjects.clear() // a handful of keys per process; bounded all the same
    keyObjects.set(secret, key)
  }
  return key
}

const mac = (secret: string, payload: string) =>
  createHmac('sha256', keyObject(secret)).update(CONTEXT).update(payload).digest().subarray(0, MAC_BYTES)

/** Only absolute http and https URLs may be a click's target: no javascript:, data:, relative or `//host` links. */
export function trackableTarget(target: string): URL {
  if (!/^https?:\/\//i.test(target)) throw new Error(`not an absolute http(s) URL: ${target.slice(0, 100)}`)
  const url = new URL(target)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not http(s): ${url.protocol}`)
  if (!url.hostname) throw new Error('a target needs a host')
  return url
}

export function signToken(claims: Claims, key: EmailKey): string {
  if (key.secret.length < 32)
    throw new Error(`email key ${key.id}: the secret must be at least 32 characters`)
  if (looksLikeEmail(claims.recipient))
    throw new Error(
      'a raw email address may not be a recipient in a URL; pass the customer id or recipientHash()',
    )
  const fields: unknown[] = [VERSION, key.id, KIND_CODES[claims.kind], claims.campaignId, claims.emailId]
  fields.push(claims.recipient, Math.floor(claims.sentAt))
  if (claims.kind === 'click') {
    fields.push(trackableTarget(claims.target).href)
    if (claims.linkId !== undefined) fields.push(claims.linkId)
  }
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url')
  const token = `${payload}.${mac(key.secret, payload).toString('base64url')}`
  if (token.length > MAX_TOKEN_LENGTH) throw new Error(`token longer than ${MAX_TOKEN_LENGTH} characters`)
  return token
}

export function verifyToken(token: string, keys: readonly EmailKey[]): Verification {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' }
  const dot = token.indexOf('.')
  if (dot < 1 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' }
  const payload = token.slice(0, dot)
  const macText = token.slice(dot + 1)
  const given = Buffer.from(macText, 'base64url')
  // canonical encoding only: base64url's last character has spare bits, which would let one MAC be spelt 4 ways
  if (
    given.length !== MAC_BYTES ||
    given.toString('base64url') !== macText ||
    !/^[A-Za-z0-9_-]+$/.test(payload)
  )
    return { ok: false, reason: 'malformed' }
  let fields: unknown
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (!Array.isArray(fields) || fields[0] !== VERSION || typeof fields[1] !== 'string')
    return { ok: false, reason: 'malformed' }
  const key = keys.find((k) => k.id === fields[1])
  if (!key) return { ok: false, reason: 'unknown_key' }
  if (!timingSafeEqual(mac(key.secret, payload), given)) return { ok: false, reason: 'bad_signature' }
  const claims = toClaims(fields)
  return claims ? { ok: true, claims, keyId: key.id } : { ok: false, reason: 'malformed' }
}

function toClaims(f: unknown[]): Claims | undefined {
  const [, , kind, campaignId, emailId, recipient, sentAt, target, linkId] = f
  const strings = [campaignId, emailId, recipient].every((s) => typeof s === 'string')
  if (!strings || typeof sentAt !== 'number' || !Number.isFinite(sentAt)) return undefined
  const base = { campaignId, emailId, recipient, sentAt } as EmailClaims
  if (kind === 'o' && f.length === 7) return { ...base, kind: 'open' }
  if (kind === 'h' && f.length === 7) return { ...base, kind: 'handoff' }
  if (kind !== 'c' || typeof target !== 'string' || (linkId !== undefined && typeof linkId !== 'string'))
    return undefined
  try {
    trackableTarget(target)
  } catch {
    return undefined
  }
  return { ...base, kind: 'click', target, ...(linkId !== undefined ? { linkId } : {}) }
}

const looksLikeEmail = (s: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)

/**
 * A keyed hash of an email address (trimmed, lower-cased) for use as a recipient id: stable for one secret, so
 * the same person gets the same id in every email, and useless to anyone without the secret. Use a secret that
 * does not rotate with the signing keys, or recipient ids change with them.
 */
export function recipientHash(email: string, secret: string): string {
  const digest = createHmac('sha256', secret)
    .update('tp-recipient.')
    .update(email.trim().toLowerCase())
    .digest()
  return `h_${digest.subarray(0, 16).toString('base64url')}`
}

/**
 * The recipient id that the emails sent to an address carry, for a person named by that address: so that
 * erasing, exporting or looking up a person by their email address also finds their email events, stored under
 * the keyed hash. Undefined for an id that is not an email address, or without the project's recipientSecret.
 */
export function recipientIdOf(id: string, recipientSecret: string | undefined): string | undefined {
  return recipientSecret && looksLikeEmail(id.trim()) ? recipientHash(id, recipientSecret) : undefined
}
