import { type DestinationStream, pino } from 'pino'
import type { CollectorConfig } from './config'
import { anonymizeIp } from './enrich/ip'

/** Headers and fields never written to the log. */
export const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  ...['writeKey', 'secretKey', 'adminKey', 'key', 'secret', 'recipientSecret'].flatMap((k) => [k, `*.${k}`]),
  ...['previousWriteKeys', 'previousSecretKeys', 'previousAdminKeys'].flatMap((k) => [k, `*.${k}`]),
]

/**
 * The collector's logger: keys are censored wherever they appear under the REDACTED paths, and a request is
 * logged as method, path and anonymised address only (no headers, no query string, which may carry tokens).
 */
export function createLogger(level: CollectorConfig['logLevel'], destination?: DestinationStream) {
  return pino(
    {
      level,
      redact: { paths: REDACTED, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string }) => ({
          method: req.method,
          path: req.url?.split('?')[0],
          address: anonymizeIp(req.ip),
        }),
      },
    },
    destination,
  )
}
