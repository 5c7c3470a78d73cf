import { describe, expect, it } from 'vitest'
import { decimalMarkOf, decimalOption, spreadsheetNumber } from './numbers'

describe('spreadsheetNumber', () => {
  const read = (text: string, decimal: '.' | ',' = '.') => spreadsheetNumber(text, decimal)

  it('reads plain numbers, and grouped ones with either decimal mark', () => {
    expect([read('1234.56'), read('-3'), read('1e3'), read(' 7 '), read('.5'), read('0,500')]).toEqual([
      1234.56, -3, 1000, 7, 0.5, 0.5,
    ])
    expect([read('1,234.56'), read('1.234,56'), read('1,234,567'), read('1.234.567,8')]).toEqual([
      1234.56, 1234.56, 1234567, 1234567.8,
    ])
    expect([read('1 234,56'), read('1\u00a0234,56'), read("1'234.56"), read('12,50')]).toEqual([
      1234.56, 1234.56, 1234.56, 12.5,
    ])
  })

  it('reads "1,234" and "1.234" by the decimal mark of the file, the only forms that read two ways', () => {
    expect([read('1,234', '.'), read('1.234', '.')]).toEqual([1234, 1.234])
    expect([read('1,234', ','), read('1.234', ',')]).toEqual([1.234, 1234])
    expect([read('12,345', ','), read('12.345', ',')]).toEqual([12.345, 12345])
  })

  it('refuses what is not a number in any of those forms', () => {
    for (const text of [
      '',
      '€12',
      '12 EUR',
      '1,23,456',
      '1,234,56',
      '1.2.3',
      '12,',
      'abc',
      '0x10',
      '--',
      '1 23',
    ])
      expect(read(text), text).toBeNaN()
  })
})

describe('the decimal mark', () => {
  it('is a comma in a file split by semicolons and a point otherwise, unless --decimal says', () => {
    expect([decimalMarkOf(';'), decimalMarkOf(','), decimalMarkOf('\t'), decimalMarkOf(';', '.')]).toEqual([
      ',',
      '.',
      '.',
      '.',
    ])
    expect(decimalOption(',')).toBe(',')
    expect(decimalOption(undefined)).toBeUndefined()
    expect(() => decimalOption('dot')).toThrow('--decimal "dot": the decimal mark, "." or ","')
  })
})
