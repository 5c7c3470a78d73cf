import { z } from 'zod'
import type { ClickHouseOptions } from './client'

const PAIR = '[A-Za-z0-9_-]{1,64}=\\d{1,6}'
const PROJECT_DAYS = new RegExp(`^\\s*${PAIR}(\\s*,\\s*${PAIR})*\\s*$`)
/** `shop=730, blog=90` as { shop: 730, blog: 90 }. */
const projectDays = (text: string): Record<string, number> =>
  Object.fromEntries(
    text.split(',').map((pair) => {
      const [id, days] = pair.trim().split('=')
      return [id!, Number(days)]
    }),
  )

/**
 * The ClickHouse variables, as a zod shape that each service's own config module spreads into its schema, so
 * every service reads them the same way (and the env is still read only in those modules).
 */
export const clickhouseEnv = {
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z.string().optional(),
  CLICKHOUSE_CLUSTER: z.string().optional(),
  // bounds on read-only queries (sql-limits.ts); unset, each takes its default there; 0, none
  SQL_MAX_SECONDS: z.coerce.number().int().min(0).optional(),
  SQL_MAX_RESULT_ROWS: z.coerce.number().int().min(0).optional(),
  SQL_MAX_RESULT_BYTES: z.coerce.number().int().min(0).optional(),
  SQL_MAX_MEMORY_BYTES: z.coerce.number().int().min(0).optional(),
  // how long the tables keep data, in days (retention.ts); unset, a table's TTL is left as it is; 0, none
  EVENTS_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).optional(),
  REJECTED_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).optional(),
  // the same for named projects' events, in place of EVENTS_RETENTION_DAYS: `shop=730,blog=90` (0: keep theirs)
  EVENTS_RETENTION_BY_PROJECT: z
    .string()
    .regex(PROJECT_DAYS, 'expected project=days pairs, such as shop=730,blog=90')
    .transform(projectDays)
    .refine((m) => Object.values(m).every((d) => d <= 36_500), 'days must be at most 36500')
    .optional(),
}

const clickhouseEnvSchema = z.object(clickhouseEnv)
type ClickHouseEnv = Partial<z.infer<typeof clickhouseEnvSchema>>

/** Client options from the parsed variables (the embedded data directory is each service's to add). */
export function clickhouseOptions(e: ClickHouseEnv): Omit<ClickHouseOptions, 'dataDir'> {
  return {
    url: e.CLICKHOUSE_URL,
    username: e.CLICKHOUSE_USER,
    password: e.CLICKHOUSE_PASSWORD,
    database: e.CLICKHOUSE_DATABASE,
    cluster: e.CLICKHOUSE_CLUSTER,
    sqlLimits: {
      maxSeconds: e.SQL_MAX_SECONDS,
      maxResultRows: e.SQL_MAX_RESULT_ROWS,
      maxResultBytes: e.SQL_MAX_RESULT_BYTES,
      maxMemoryBytes: e.SQL_MAX_MEMORY_BYTES,
    },
    retention: {
      eventsDays: e.EVENTS_RETENTION_DAYS,
      eventsDaysByProject: e.EVENTS_RETENTION_BY_PROJECT,
      rejectedDays: e.REJECTED_RETENTION_DAYS,
    },
  }
}
