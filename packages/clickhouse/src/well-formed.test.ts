import { describe, expect, it } from 'vitest'
import { wellFormedRows } from './well-formed'

describe('wellFormedRows', () => {
  it('replaces lone surrogates, high or low, in the strings of a line, with U+FFFD', () => {
    const line = JSON.stringify({ event: 'a\ud83d', title: '\ude00b', n: 1 })
    expect(line).toContain('\\ud83d')
    const fixed = wellFormedRows(`{"ok":"x"}\n${line}`)
    const [first, second] = fixed.split('\n')
    expect(first).toBe('{"ok":"x"}')
    expect(JSON.parse(second!)).toEqual({ event: 'a\ufffd', title: '\ufffdb', n: 1 })
    expect(fixed).not.toMatch(/\\u[dD][89a-fA-F]/)
  })

  it('keeps a pair written as escapes, an escaped backslash before "ud83d", and a body without either', () => {
    const pair = '{"e":"\\ud83d\\ude00"}'
    expect(JSON.parse(wellFormedRows(pair))).toEqual({ e: '😀' })
    const text = JSON.stringify({ e: '\\ud83d is how JSON writes half an emoji' })
    expect(JSON.parse(wellFormedRows(text))).toEqual(JSON.parse(text))
    const plain = '{"e":"😀 é"}\n{"e":"x"}'
    expect(wellFormedRows(plain)).toBe(plain)
  })

  it('does the same to UTF-8 bytes, giving back the same bytes when there is nothing to replace', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ t: 'x\udaf1' }))
    expect(new TextDecoder().decode(wellFormedRows(bytes))).toBe('{"t":"x\ufffd"}')
    const clean = new TextEncoder().encode('{"t":"😀"}')
    expect(wellFormedRows(clean)).toBe(clean)
  })
})
