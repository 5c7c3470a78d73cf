import { describe, expect, it } from 'vitest'
import { jsonStrings, numberField, stringField } from './json-fields'

describe('stringField', () => {
  it('reads a top-level value, and not the same key written inside a string value', () => {
    // a property named user_id inside the row's properties (a JSON string) comes before the row's own user_id
    const row = JSON.stringify({ properties: JSON.stringify({ user_id: 'inner' }), user_id: 'outer' })
    expect(stringField(row, 'user_id')).toBe('outer')
  })

  it('decodes escapes, and reads past escaped quotes and backslashes', () => {
    for (const value of ['a"b', 'c:\\', 'd\\"e', 'ümlaut\u2028line', 'tab\there'])
      expect(stringField(JSON.stringify({ x: 1, id: value, y: 'z' }), 'id')).toBe(value)
  })

  it("reads '' for a key that is absent or not a string, and starts where it is told", () => {
    expect(stringField('{"a":"b"}', 'user_id')).toBe('')
    expect(stringField('{"user_id":null}', 'user_id')).toBe('')
    const text = '{"event":{"projectId":"not-this"},"facts":{"projectId":"this"}}'
    expect(stringField(text, 'projectId', text.lastIndexOf('"facts":'))).toBe('this')
  })
})

describe('numberField', () => {
  it('reads a number, and NaN where there is none', () => {
    expect(numberField('{"receivedAt":1765100000123,"x":1}', 'receivedAt')).toBe(1765100000123)
    expect(numberField('{"n":-1.5e3}', 'n')).toBe(-1500)
    expect(numberField('{"n":"1"}', 'n')).toBeNaN()
    expect(numberField('{}', 'n')).toBeNaN()
  })
})

describe('jsonStrings', () => {
  it('finds every string, keys too, in text that was cut short', () => {
    const raw = JSON.stringify({ userId: 'u "1"', batch: [{ anonymousId: 'a\\b' }] })
    expect(jsonStrings(raw.slice(0, -3))).toEqual(['userId', 'u "1"', 'batch', 'anonymousId', 'a\\b'])
  })
})
