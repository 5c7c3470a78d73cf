import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join, resolve } from 'node:path'
import { exchange, linearPatterns } from '@touchpoint/analytics'
import { clickhouseEnv, clickhouseOptions } from '@touchpoint/clickhouse'
import { brokerList, checkSecurity, securityEnv, securityOf, topicEnv, topicSpec } from '@touchpoint/kafka'
import { dedupeEnv, dedupeOptions, type LoaderOptions } from '@touchpoint/loader'
import { trackingPlan } from '@touchpoint/schema'
import { z } from 'zod'
import { CountryTable } from './country-reload'
import type { KafkaSinkOptions } from './pipeline/kafka'
import type { RateLimitConfig } from './rate-limits'
import { fileVersion } from './util/file-versions'

/**
 * The collector's one configuration module: environment variables and the JSON file named by
 * TOUCHPOINT_CONFIG, validated once at start-up. No other file of the collector reads process.env.
 */

/** A proxy's address or range as proxy-addr reads it, or one of its names for the private ranges. */
function isProxyAddress(entry: string): boolean {
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true
  const [address = '', bits, ...rest] = entry.split('/')
  const family = isIP(address)
  if (!family || rest.length) return false
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))
}

/**
 * Whose X-Forwarded-For to believe. Every proxy appends the address it heard from, and a client may send the header
 * with any address in it already, so the visitor is the address that the last trusted proxy heard. TRUST_PROXY names
 * the proxies by their addresses and ranges (`10.0.0.0/8,loopback`), or counts them: `1` for the one load balancer
 * in front, `2` for a CDN before it, which holds only where clients cannot reach the collector but through them.
 * `true` believes every hop, so the first address of the header, which a client chooses: only for a proxy that
 * overwrites the header.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): boolean | number | string[] => {
    if (/^(true|yes)$/i.test(value)) return true
    if (/^(false|no|0|)$/i.test(value)) return false
    if (/^\d+$/.test(value)) return Number(value)
    const entries = value.split(',').map((entry) => entry.trim())
    const bad = entries.find((entry) => !isProxyAddress(entry))
    if (bad === undefined) return entries
    ctx.addIssue({
      code: 'custom',
      message: `"${bad}" is not an address or a range: give true, false, how many proxies are in front (1 for a load balancer), or their addresses (10.0.0.0/8,loopback)`,
    })
    return z.NEVER
  })

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('0.0.0.0'),
    TOUCHPOINT_DATA_DIR: z.string().default('./.touchpoint'),
    TOUCHPOINT_CONFIG: z.string().optional(),
    TOUCHPOINT_ADMIN_KEY: z.string().min(16).optional(),
    ...clickhouseEnv,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: trustProxy.default(false),
    /** Largest spool on disk before the collector answers 503. */
    SPOOL_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 ** 3),
    /** Most rows one loader insert carries. */
    LOADER_BATCH_ROWS: z.coerce.number().int().positive().default(20_000),
    /**
     * How long the loader lets a batch fill before inserting it. One insert a second is what ClickHouse advises
     * (each insert writes a part that merges rewrite later); at 200 ms the merges cost more and the collector
     * answered about 10% fewer events a second (docs/performance.md, "fewer, larger inserts").
     */
    LOADER_FLUSH_MS: z.coerce.number().int().min(0).default(1000),
    ...dedupeEnv,
    /** A client must have sent its request's headers within this long, or gets 408 and is cut off (slowloris). */
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    /** ...and the whole request, body included, within this long (and a new connection idle this long is closed). */
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    /**
     * How long a connection may wait idle between requests before the collector closes it. Longer than the idle
     * timeout of the load balancer in front (AWS's ALB 60 s; Google Cloud's 600 s: 620000), or the balancer sends
     * a request down a connection the collector is closing, and answers it 502. Fastify's own default.
     */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(72_000),
    /** Requests one client address may make per RATE_LIMIT_WINDOW_MS (secret- and admin-key requests skip it); 0 = off. */
    RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).default(1000),
    /** Requests one project key may make per RATE_LIMIT_WINDOW_MS, from all addresses together; 0 = off. */
    RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(20_000),
    RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(10_000),
    /** Comma-separated brokers; when set, the collector produces to Kafka instead of loading ClickHouse itself. */
    KAFKA_BROKERS: brokerList.optional(),
    KAFKA_CLIENT_ID: z.string().default('touchpoint-collector'),
    ...topicEnv,
    KAFKA_LINGER_MS: z.coerce.number().int().min(0).default(5),
    KAFKA_MAX_BATCH: z.coerce.number().int().positive().default(5000),
    KAFKA_COMPRESSION: z.enum(['none', 'gzip']).default('gzip'),
    /** How long a request waits for Kafka's acknowledgement before its events go to the local spool instead. */
    KAFKA_ACK_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    ...securityEnv,
    /**
     * A table of IP address ranges and their countries (DB-IP's IP to Country Lite CSV, or IP2Location's LITE DB1):
     * with it, each tracking call's country is looked up from its address before the address is anonymised
     * (enrich/ip-country.ts); without it, reports read the country from the visitor's time zone.
     */
    GEOIP_COUNTRY_CSV: z.string().min(1).optional(),
  })
  .superRefine(checkSecurity)

/** An address range: `203.0.113.0/24`, `2001:db8::/48`, `198.51.100.7/32` for one address. */
const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, { error: 'a CIDR range' })

const emailSchema = z.object({
  /** Signing keys: the tracker signs with one, the collector accepts all of them (rotate by adding, then removing). */
  keys: z
    .array(
      z.object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'letters, digits, _ and - only, at most 32' }),
        secret: z.string().min(32),
      }),
    )
    .min(1),
  /**
   * Not used by the collector: the secret the tracker and `touchpoint email instrument` hash email addresses
   * with when one is given as recipient. Keep it when rotating keys, or recipient ids change.
   */
  recipientSecret: z.string().min(32).optional(),
  /** utm_source the click redirect adds when the target has none. */
  utmSource: z.string().min(1).default('email'),
  /** An open this soon after the send is a machine (a gateway prefetching images on delivery). */
  machineOpenSeconds: z.number().min(0).default(5),
  /** A click this soon after the send is a scanner (link checkers run on delivery). */
  scannerClickSeconds: z.number().min(0).default(10),
  /** This many different links of one email clicked from one address within burstSeconds is a scanner. */
  burstLinks: z.number().int().min(2).default(3),
  burstSeconds: z.number().min(0).default(2),
  /** Apple Mail Privacy Protection egress ranges (CIDR), if the operator supplies them: opens from them are machine. */
  appleProxyRanges: z.array(cidr).default([]),
  /** How long the hand-off a click adds to its target links a browser to the recipient. */
  handoffSeconds: z.number().int().positive().default(600),
})

const projectSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'letters, digits, _ and - only, at most 64' }),
  writeKey: z.string().min(8),
  secretKey: z.string().min(16).optional(),
  /** Keys still accepted while senders move to the new one (`touchpoint keys rotate`, then `retire`). */
  previousWriteKeys: z.array(z.string().min(8)).optional(),
  previousSecretKeys: z.array(z.string().min(16)).optional(),
  /** Origins whose pages may send with the write key. ["*"] allows any. */
  allowedOrigins: z.array(z.string()).default(['*']),
  /** IANA time zone for reports by hour, day and week. */
  timezone: z.string().default('UTC'),
  /**
   * Query and fragment parameters whose values are redacted on arrival, besides the built-in credential and card
   * names (enrich/redact.ts): a site's own, such as a session id or a phone number it puts in its URLs.
   */
  redactParams: z
    .array(
      z.string().regex(/^[^&=#?]{1,100}$/, { error: 'a parameter name: 1 to 100 characters, no & = # ?' }),
    )
    .max(200)
    .optional(),
  /**
   * The currency the reports add revenue up in, and what one unit of each other currency is worth in it
   * (`"exchangeRates": { "USD": 0.92 }`, or by date: `{ "USD": { "2026-01-02": 0.92 } }`): the analytics API's
   * `exchange` when a request gives none. Without a currency, revenue in several currencies is reported apart.
   */
  currency: exchange.shape.to.optional(),
  exchangeRates: exchange.shape.rates.optional(),
  /** The checkout steps of the orders report's cart-abandonment funnel (default Checkout Started → Order Completed). */
  checkoutEvents: z.array(z.string().min(1)).min(2).max(10).optional(),
  /** Email tracking: the open pixel and click redirect answer only for projects with keys here. */
  email: emailSchema.optional(),
  /**
   * The business's own addresses (its offices, its VPN): calls with the write key from them are stored as internal
   * traffic (`is_bot = 2`), which the reports leave out as they leave out bots.
   */
  internalIps: z.array(cidr).max(1000).optional(),
  /** The events the project expects and what their properties must be (docs/tracking-plan.md). */
  trackingPlan: trackingPlan.superRefine(linearPatterns).optional(),
})

const fileSchema = z
  .object({
    adminKey: z.string().min(16),
    previousAdminKeys: z.array(z.string().min(16)).optional(),
    projects: z.array(projectSchema).min(1),
  })
  .superRefine((file, ctx) => {
    // a key names one project and one kind: a key used twice would silently belong to whichever came last
    const seen = new Set<string>()
    const check = (key: string | undefined, path: Array<string | number>) => {
      if (key === undefined) return
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path, message: 'the same key is used twice' })
      seen.add(key)
    }
    const checkAll = (keys: string[] | undefined, path: Array<string | number>) => {
      for (const [i, key] of (keys ?? []).entries()) check(key, [...path, i])
    }
    check(file.adminKey, ['adminKey'])
    checkAll(file.previousAdminKeys, ['previousAdminKeys'])
    for (const [n, p] of file.projects.entries()) {
      check(p.writeKey, ['projects', n, 'writeKey'])
      check(p.secretKey, ['projects', n, 'secretKey'])
      checkAll(p.previousWriteKeys, ['projects', n, 'previousWriteKeys'])
      checkAll(p.previousSecretKeys, ['projects', n, 'previousSecretKeys'])
    }
  })

export type ProjectConfig = z.infer<typeof projectSchema>
export type EmailConfig = z.infer<typeof emailSchema>
export type ProjectsFile = z.infer<typeof fileSchema>

export interface CollectorConfig {
  port: number
  host: string
  dataDir: string
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL']
  /** Whose X-Forwarded-For names the client (TRUST_PROXY): no one, everyone, the nearest n hops, or these addresses */
  trustProxy: boolean | number | string[]
  /** The projects and the keys that are accepted; reloadKeys() reads them again. */
  keys: KeyConfig
  clickhouse: ReturnType<typeof clickhouseOptions>
  spool: { maxBytes: number }
  loader: { batchRows: number; flushMs: number; dedupe: LoaderOptions }
  rateLimits: RateLimitConfig
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number }
  kafka: Omit<KafkaSinkOptions, 'spoolDir' | 'spoolMaxBytes'> | undefined
  /** Where the projects came from, and whether this start created them (a fresh embedded start). */
  projectsSource: { path: string; created: boolean; version: string }
  /** The countries of IP address ranges (GEOIP_COUNTRY_CSV), read at start; startCollector reloads it (country-reload.ts) */
  countries: CountryTable | undefined
}

export class ConfigError extends Error {}

function describe(error: z.ZodError, where: string): string {
  return error.issues
    .map((i) => `${where}${i.path.length ? ` ${i.path.join('.')}` : ''}: ${i.message}`)
    .join('\n')
}

/** Reads the environment and the projects file. Throws ConfigError naming the bad variable or field. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) throw new ConfigError(describe(parsed.error, 'environment variable'))
  const e = parsed.data
  const dataDir = resolve(e.TOUCHPOINT_DATA_DIR)
  const { file, source } = readProjects(e.TOUCHPOINT_CONFIG, dataDir)
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    keys: keyConfig(file, e.TOUCHPOINT_ADMIN_KEY),
    clickhouse: clickhouseOptions(e),
    spool: { maxBytes: e.SPOOL_MAX_BYTES },
    loader: { batchRows: e.LOADER_BATCH_ROWS, flushMs: e.LOADER_FLUSH_MS, dedupe: dedupeOptions(e) },
    http: {
      // Node refuses a headers timeout longer than the request's
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    rateLimits: {
      perIp: e.RATE_LIMIT_PER_IP,
      perKey: e.RATE_LIMIT_PER_KEY,
      windowMs: e.RATE_LIMIT_WINDOW_MS,
    },
    kafka: e.KAFKA_BROKERS
      ? {
          brokers: e.KAFKA_BROKERS,
          clientId: e.KAFKA_CLIENT_ID,
          ...securityOf(e),
          ...topicSpec(e),
          ingesterGroup: e.KAFKA_GROUP_ID,
          lingerMs: e.KAFKA_LINGER_MS,
          maxBatchRecords: e.KAFKA_MAX_BATCH,
          compression: e.KAFKA_COMPRESSION,
          ackTimeoutMs: e.KAFKA_ACK_TIMEOUT_MS,
        }
      : undefined,
    projectsSource: source,
    countries: e.GEOIP_COUNTRY_CSV ? countriesFrom(e.GEOIP_COUNTRY_CSV) : undefined,
  }
}

function countriesFrom(name: string): CountryTable {
  const file = resolve(name)
  try {
    return CountryTable.load(file)
  } catch (err) {
    throw new ConfigError(`environment variable GEOIP_COUNTRY_CSV: ${(err as Error).message}`)
  }
}

/** What the project registry is built from: it can change while the collector runs. */
export interface KeyConfig {
  adminKeys: string[]
  projects: ProjectConfig[]
}

/** TOUCHPOINT_ADMIN_KEY, when set, replaces the file's admin keys. */
function keyConfig(file: ProjectsFile, envAdminKey: string | undefined): KeyConfig {
  return {
    adminKeys: envAdminKey ? [envAdminKey] : [file.adminKey, ...(file.previousAdminKeys ?? [])],
    projects: file.projects,
  }
}

/**
 * Reads the projects file again (on SIGHUP, or when it changes), so keys rotate without a restart. Throws
 * ConfigError, naming the field, when the file is not valid: the caller keeps the keys it has.
 */
export function reloadKeys(config: CollectorConfig, env: NodeJS.ProcessEnv = process.env): KeyConfig {
  const { file } = readProjects(config.projectsSource.path, config.dataDir)
  return keyConfig(file, envSchema.shape.TOUCHPOINT_ADMIN_KEY.parse(env.TOUCHPOINT_ADMIN_KEY))
}

/** The file a fresh embedded start writes its dev project into. */
export const DEV_PROJECTS_FILE = 'touchpoint.json'

function readProjects(explicit: string | undefined, dataDir: string) {
  const path = explicit ? resolve(explicit) : join(dataDir, DEV_PROJECTS_FILE)
  let created = false
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(`TOUCHPOINT_CONFIG: no file at ${path}`)
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(path, `${JSON.stringify(devProjects(), null, 2)}\n`, { mode: 0o600 })
    created = true
  }
  const version = fileVersion(path)
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`)
  }
  const parsed = fileSchema.safeParse(json)
  if (!parsed.success) throw new ConfigError(describe(parsed.error, path))
  return { file: parsed.data, source: { path, created, version } }
}

const token = (prefix: string, bytes: number) => `${prefix}_${randomBytes(bytes).toString('base64url')}`

/** A fresh random key of the given kind, prefixed so a leaked key says what it is (tpw_, tps_, tpa_). */
export function generateKey(kind: 'write' | 'secret' | 'admin'): string {
  return kind === 'write' ? token('tpw', 16) : token(kind === 'secret' ? 'tps' : 'tpa', 24)
}

/** A development project with fresh random keys. */
export function devProjects(): ProjectsFile {
  return {
    adminKey: generateKey('admin'),
    projects: [
      {
        id: 'dev',
        writeKey: generateKey('write'),
        secretKey: generateKey('secret'),
        allowedOrigins: ['*'],
        timezone: 'UTC',
        email: {
          keys: [{ id: 'k1', secret: token('tpe', 32) }],
          recipientSecret: token('tpr', 32),
          utmSource: 'email',
          machineOpenSeconds: 5,
          scannerClickSeconds: 10,
          burstLinks: 3,
          burstSeconds: 2,
          appleProxyRanges: [],
          handoffSeconds: 600,
        },
      },
    ],
  }
}
