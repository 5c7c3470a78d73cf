import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ConnectionOptions } from 'node:tls'
import type { SASLOptions } from 'kafkajs'
import { z } from 'zod'

/** What a connection to the brokers asks for: TLS (with a CA and a client certificate of its own) and SASL. */
export interface KafkaSecurity {
  ssl?: ConnectionOptions | boolean
  sasl?: SASLOptions
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const

/** A PEM file named by a variable, read at start: its text, or an issue naming the file and what is wrong. */
const pemFile = z
  .string()
  .min(1)
  .transform((name, ctx) => {
    const path = resolve(name)
    try {
      const text = readFileSync(path, 'utf8')
      if (text.includes('-----BEGIN ')) return text
      ctx.addIssue({ code: 'custom', message: `${path} holds no PEM block (-----BEGIN …)` })
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`,
      })
    }
    return z.NEVER
  })

/**
 * The security variables, one zod shape spread into the collector's and the ingester's config modules (managed
 * Kafka asks for TLS, and a password or a client certificate). The files are read when the config is.
 */
export const securityEnv = {
  /** TLS to the brokers; on by itself when a file below is named. Without KAFKA_SSL_CA, the system's CAs. */
  KAFKA_SSL: z
    .enum(['true', 'false'], { error: 'true or false' })
    .transform((v) => v === 'true')
    .optional(),
  KAFKA_SSL_CA: pemFile.optional(),
  /** A client certificate and its key, for brokers that ask for one (mutual TLS). */
  KAFKA_SSL_CERT: pemFile.optional(),
  KAFKA_SSL_KEY: pemFile.optional(),
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(MECHANISMS, { error: 'plain, scram-sha-256 or scram-sha-512' }))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
}

type SecurityEnv = z.infer<z.ZodObject<typeof securityEnv>>

/** The variables that only make sense together, checked on the parsed environment (a `superRefine`). */
export function checkSecurity(e: SecurityEnv, ctx: z.RefinementCtx): void {
  const issue = (variable: keyof SecurityEnv, message: string) =>
    ctx.addIssue({ code: 'custom', path: [variable], message })
  if (e.KAFKA_SSL === false) {
    for (const file of ['KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY'] as const)
      if (e[file] !== undefined) issue(file, 'is set, and KAFKA_SSL=false turns TLS off; unset one of them')
  }
  if ((e.KAFKA_SSL_CERT === undefined) !== (e.KAFKA_SSL_KEY === undefined))
    issue(
      e.KAFKA_SSL_CERT === undefined ? 'KAFKA_SSL_CERT' : 'KAFKA_SSL_KEY',
      'is required with the other of KAFKA_SSL_CERT and KAFKA_SSL_KEY (a client certificate and its key)',
    )
  if (e.KAFKA_SASL_MECHANISM) {
    if (!e.KAFKA_SASL_USERNAME) issue('KAFKA_SASL_USERNAME', 'is required with KAFKA_SASL_MECHANISM')
    if (!e.KAFKA_SASL_PASSWORD) issue('KAFKA_SASL_PASSWORD', 'is required with KAFKA_SASL_MECHANISM')
  } else if (e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD) {
    issue('KAFKA_SASL_MECHANISM', `is required with a SASL user name or password: ${MECHANISMS.join(', ')}`)
  }
}

/** kafkajs's `ssl` and `sasl` for the checked variables. */
export function securityOf(e: SecurityEnv): KafkaSecurity {
  const files = { ca: e.KAFKA_SSL_CA, cert: e.KAFKA_SSL_CERT, key: e.KAFKA_SSL_KEY }
  const given = Object.fromEntries(Object.entries(files).filter(([, text]) => text !== undefined))
  const tls = e.KAFKA_SSL === true || Object.keys(given).length > 0
  const security: KafkaSecurity = {}
  if (tls) security.ssl = Object.keys(given).length > 0 ? given : true
  if (e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD)
    security.sasl = {
      mechanism: e.KAFKA_SASL_MECHANISM,
      username: e.KAFKA_SASL_USERNAME,
      password: e.KAFKA_SASL_PASSWORD,
    } as SASLOptions
  return security
}

/** How a start banner names the connection's security: `TLS, SASL scram-sha-512 as touchpoint`. */
export function describeSecurity({ ssl, sasl }: KafkaSecurity): string {
  const parts = []
  if (ssl) parts.push(typeof ssl === 'object' && ssl.cert ? 'TLS with a client certificate' : 'TLS')
  if (sasl && 'username' in sasl) parts.push(`SASL ${sasl.mechanism} as ${sasl.username}`)
  return parts.length ? parts.join(', ') : 'no TLS, no SASL'
}
