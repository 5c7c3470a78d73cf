import { describe, expect, it } from 'vitest'
import { bodyText } from './body-text'

describe('bodyText', () => {
  const json = '{"event":"Café Visit"}'

  it('reads UTF-8 unless the type names another charset, in any spelling of UTF-8', () => {
    const utf8 = Buffer.from(json, 'utf8')
    for (const type of [
      undefined,
      'application/json',
      'text/plain;charset=UTF-8',
      'application/json; charset="utf8"',
    ])
      expect(bodyText(utf8, type)).toBe(json)
  })

  it('reads ISO-8859-1, windows-1252 and UTF-16 bodies labelled as such', () => {
    expect(bodyText(Buffer.from(json, 'latin1'), 'application/json; charset=ISO-8859-1')).toBe(json)
    expect(bodyText(Buffer.from(json, 'latin1'), 'application/json;charset=windows-1252')).toBe(json)
    expect(bodyText(Buffer.from(json, 'utf16le'), 'application/json; charset=utf-16le')).toBe(json)
    // a Latin-1 body read as UTF-8, as before, lost its accent
    expect(bodyText(Buffer.from(json, 'latin1'), 'application/json')).toBe('{"event":"Caf\ufffd Visit"}')
  })

  it('refuses a charset it does not know, naming it', () => {
    expect(() => bodyText(Buffer.from(json), 'application/json; charset=klingon')).toThrow(
      expect.objectContaining({
        code: 'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringContaining('klingon'),
      }),
    )
  })
})
