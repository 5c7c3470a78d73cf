import { describe, expect, it } from 'vitest'
import { jsonText } from './json-text'

describe('jsonText', () => {
  it('writes JSON with U+FFFD for each lone surrogate, at any depth', () => {
    const text = jsonText({ plan: 'pro\ud83d', items: [{ name: '\ude00' }], ok: '😀' })
    expect(text).toBe('{"plan":"pro\ufffd","items":[{"name":"\ufffd"}],"ok":"😀"}')
  })

  it("is JSON.stringify's text for anything else", () => {
    const value = { a: 'é 😀', b: '\\ud83d as text', c: [1, null, true] }
    expect(jsonText(value)).toBe(JSON.stringify(value))
  })
})
