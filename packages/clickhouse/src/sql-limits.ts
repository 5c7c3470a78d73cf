import { totalmem } from 'node:os'
import { sqlString } from './sql-string'

/**
 * Bounds on every query of the read-only handle: operators' and analysts' SQL (/api/sql, `touchpoint sql`) and the
 * analytics reports. In embedded mode ClickHouse runs inside the collector, and a query's result is held whole in
 * memory before it is answered, so one unbounded query (`SELECT * FROM events`, or `system.numbers`) would grow the
 * process until it is killed, and ingest with it. A query past a bound fails with ClickHouse's error, which names it.
 *
 * Any bound may be 0: none is set, and ClickHouse's own settings apply (a server's profile). A server user whose
 * profile is readonly=1 refuses every setting a query sends, so its bounds must all be 0 (or the profile readonly=2).
 */
export interface SqlLimits {
  /** How long one query may run (max_execution_time), in seconds. */
  maxSeconds: number
  /** Rows in a result (max_result_rows). */
  maxResultRows: number
  /** Bytes of a result, uncompressed in memory (max_result_bytes). */
  maxResultBytes: number
  /** Memory one query may use (max_memory_usage). */
  maxMemoryBytes: number
}

export const DEFAULT_SQL_LIMITS = {
  maxSeconds: 60,
  maxResultRows: 100_000,
  maxResultBytes: 100 * 1024 * 1024,
} as const

/**
 * The memory this process may use: the machine's, or a container's limit where one is set (cgroups, which Node
 * reads; it answers 0, or 2^64, without one). The machine's alone let one query of a collector limited to 1.5 GiB on
 * a 24 GiB machine take 6 GiB: the kernel killed the collector, and ingest with it, before ClickHouse's bound did.
 */
export function memoryAvailable(
  machine = totalmem(),
  constrained: number | undefined = process.constrainedMemory?.(),
): number {
  return constrained && constrained > 0 && constrained < machine ? constrained : machine
}

/** Per query in embedded mode: a quarter of the memory the process may use. A server keeps its own settings. */
export const defaultMaxMemoryBytes = (embedded: boolean, memory = memoryAvailable()): number =>
  embedded ? Math.floor(memory / 4) : 0

/** The limits as ClickHouse settings; a result past its bound fails rather than being cut short. */
export function sqlLimitSettings(limits: SqlLimits): Record<string, string> {
  const settings: Record<string, string> = {}
  if (limits.maxSeconds > 0) settings.max_execution_time = String(limits.maxSeconds)
  if (limits.maxResultRows > 0) settings.max_result_rows = String(limits.maxResultRows)
  if (limits.maxResultBytes > 0) settings.max_result_bytes = String(limits.maxResultBytes)
  if (limits.maxResultRows > 0 || limits.maxResultBytes > 0) settings.result_overflow_mode = 'throw'
  if (limits.maxMemoryBytes > 0) settings.max_memory_usage = String(limits.maxMemoryBytes)
  return settings
}

/** `SET …` of the settings, for a chDB session (whose settings hold for every later query). */
export const setStatement = (settings: Record<string, string>): string | undefined =>
  Object.keys(settings).length === 0
    ? undefined
    : `SET ${Object.entries(settings)
        .map(([name, value]) => `${name} = ${/^\d+$/.test(value) ? value : sqlString(value)}`)
        .join(', ')}`

/** ClickHouse's error types for a query past a bound, with the variables that set each bound (env.ts). */
const BOUND_VARIABLES: Record<string, string> = {
  TOO_MANY_ROWS_OR_BYTES: 'SQL_MAX_RESULT_ROWS, SQL_MAX_RESULT_BYTES',
  TIMEOUT_EXCEEDED: 'SQL_MAX_SECONDS',
  MEMORY_LIMIT_EXCEEDED: 'SQL_MAX_MEMORY_BYTES',
}

/** For an error of a query past a bound on read-only queries, the variables that set that bound. */
export const boundVariables = (err: unknown): string | undefined => {
  const type = (err as { type?: unknown } | null)?.type
  return typeof type === 'string' ? BOUND_VARIABLES[type] : undefined
}

/** For an error of a query past a bound, ClickHouse's message with the variables to change; else undefined. */
export const boundMessage = (err: unknown): string | undefined => {
  const bound = boundVariables(err)
  return bound && `${(err as Error).message.trim()} (set by ${bound}; 0 for none)`
}

/** The output format the client adds to a query, which ClickHouse's syntax errors quote as if its caller wrote it. */
const CLIENT_FORMAT = /\s*\nFORMAT JSONEachRow\b/g

/** A query's error message without the format clause the client added to the query (CLIENT_FORMAT). */
export const callersMessage = (err: unknown): string =>
  String((err as Error).message).replace(CLIENT_FORMAT, '')
