import { type LogEntry, logLevel } from 'kafkajs'
import type { Logger } from 'pino'

/** How long a kafkajs message said once is kept from the log, counted instead. */
export const REPEAT_WINDOW_MS = 10_000

/**
 * kafkajs's warnings and errors for the service's log, so that a stall can be explained, each message at most once
 * every REPEAT_WINDOW_MS: with a broker away, kafkajs says "Connection error: connect ECONNREFUSED" several times a
 * second (69 lines in 10 s of the fault test), which over an hour's outage would be tens of thousands of lines. The
 * next line of a message after its window says how many were left out (`repeated`).
 */
export function kafkaLogCreator(log: Logger, now: () => number = Date.now) {
  const said = new Map<string, { at: number; repeated: number }>()
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry
      // the same message with another error (kafkajs's "Response Metadata" carries the broker's) is another line
      const key = `${level} ${message} ${String((rest as { error?: unknown }).error ?? '')}`
      const last = said.get(key)
      const at = now()
      if (last && at - last.at < REPEAT_WINDOW_MS) {
        last.repeated++
        return
      }
      said.set(key, { at, repeated: 0 })
      if (said.size > 1000) said.delete(said.keys().next().value!)
      const fields = last?.repeated ? { ...rest, repeated: last.repeated } : rest
      if (level <= logLevel.ERROR) log.error(fields, `kafka: ${message}`)
      else log.warn(fields, `kafka: ${message}`)
    }
}
