import { type LogEntry, logLevel } from 'kafkajs'
import type { Logger } from 'pino'
import { describe, expect, it } from 'vitest'
import { kafkaLogCreator, REPEAT_WINDOW_MS } from './kafka-log'

/** An error line as kafkajs hands it to a log creator. */
const errorLine = (fields: { message: string } & Record<string, unknown>): LogEntry => ({
  namespace: 'Connection',
  level: logLevel.ERROR,
  label: 'ERROR',
  log: { timestamp: '', ...fields },
})

describe("kafkajs's log lines in the service's log", () => {
  it('says each message once a window, and then how many times it was left out', () => {
    const lines: Array<[string, Record<string, unknown>, string]> = []
    const log = {
      error: (fields: Record<string, unknown>, msg: string) => lines.push(['error', fields, msg]),
      warn: (fields: Record<string, unknown>, msg: string) => lines.push(['warn', fields, msg]),
    } as unknown as Logger
    let now = 0
    const write = kafkaLogCreator(log, () => now)()
    const refused = (at: number) => {
      now = at
      write(errorLine({ message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', broker: 'b:9092' }))
    }
    for (let t = 0; t < REPEAT_WINDOW_MS; t += 150) refused(t)
    expect(lines).toEqual([
      [
        'error',
        { timestamp: '', broker: 'b:9092' },
        'kafka: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      ],
    ])
    refused(REPEAT_WINDOW_MS + 1)
    expect(lines).toHaveLength(2)
    expect(lines[1]![1]).toEqual({ timestamp: '', broker: 'b:9092', repeated: 66 })
    // another message, or the same one with another error, is said at once
    const metadata = 'Response Metadata(key: 3, version: 6)'
    write(errorLine({ message: metadata, error: 'This server does not host this topic-partition' }))
    write(errorLine({ message: metadata, error: 'The coordinator is loading' }))
    expect(lines).toHaveLength(4)
  })
})
