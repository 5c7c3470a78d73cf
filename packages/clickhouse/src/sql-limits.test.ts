import { describe, expect, it } from 'vitest'
import {
  boundMessage,
  boundVariables,
  DEFAULT_SQL_LIMITS,
  defaultMaxMemoryBytes,
  memoryAvailable,
  setStatement,
  sqlLimitSettings,
} from './sql-limits'

describe('bounds on read-only queries as ClickHouse settings', () => {
  it('set each bound, and fail a result past its bound rather than cut it short', () => {
    const settings = sqlLimitSettings({ ...DEFAULT_SQL_LIMITS, maxMemoryBytes: 1024 })
    expect(settings).toEqual({
      max_execution_time: '60',
      max_result_rows: '100000',
      max_result_bytes: String(100 * 1024 * 1024),
      result_overflow_mode: 'throw',
      max_memory_usage: '1024',
    })
    expect(setStatement(settings)).toBe(
      `SET max_execution_time = 60, max_result_rows = 100000, max_result_bytes = 104857600, result_overflow_mode = 'throw', max_memory_usage = 1024`,
    )
  })

  it('leave out a bound of 0, so that a server profile that refuses settings can be used', () => {
    const none = { maxSeconds: 0, maxResultRows: 0, maxResultBytes: 0, maxMemoryBytes: 0 }
    expect(sqlLimitSettings(none)).toEqual({})
    expect(setStatement({})).toBeUndefined()
    expect(sqlLimitSettings({ ...none, maxSeconds: 5 })).toEqual({ max_execution_time: '5' })
  })

  it('name the variables of the bound a refused query went past, and nothing for other refusals', () => {
    expect(boundVariables({ type: 'TIMEOUT_EXCEEDED' })).toBe('SQL_MAX_SECONDS')
    expect(boundVariables({ type: 'TOO_MANY_ROWS_OR_BYTES' })).toBe(
      'SQL_MAX_RESULT_ROWS, SQL_MAX_RESULT_BYTES',
    )
    expect(boundVariables({ type: 'MEMORY_LIMIT_EXCEEDED' })).toBe('SQL_MAX_MEMORY_BYTES')
    expect(boundVariables({ type: 'SYNTAX_ERROR' })).toBeUndefined()
    expect(boundVariables(new Error('no type'))).toBeUndefined()
    expect(boundVariables(null)).toBeUndefined()
    const timeout = Object.assign(new Error('Timeout exceeded: elapsed 1000 ms. '), {
      type: 'TIMEOUT_EXCEEDED',
    })
    expect(boundMessage(timeout)).toBe(
      'Timeout exceeded: elapsed 1000 ms. (set by SQL_MAX_SECONDS; 0 for none)',
    )
    expect(boundMessage(Object.assign(new Error('Syntax error'), { type: 'SYNTAX_ERROR' }))).toBeUndefined()
  })
})

describe('the memory a read-only query may use by default', () => {
  const GiB = 2 ** 30
  it("is a quarter of a container's limit where one is set, else of the machine's memory", () => {
    expect(memoryAvailable(24 * GiB, 1.5 * GiB)).toBe(1.5 * GiB)
    // no limit: Node answers 2^64 (cgroups v1's "unlimited"), 0, or nothing before Node 19.6
    expect(memoryAvailable(24 * GiB, 2 ** 64)).toBe(24 * GiB)
    expect(memoryAvailable(24 * GiB, 0)).toBe(24 * GiB)
    expect(memoryAvailable(24 * GiB, undefined)).toBe(24 * GiB)
    expect(defaultMaxMemoryBytes(true, 1.5 * GiB)).toBe(384 * 2 ** 20)
    expect(defaultMaxMemoryBytes(false, 1.5 * GiB)).toBe(0)
  })
})
