import { describe, expect, it } from 'vitest'
import { counted, formatCsv, formatSeconds } from './table'

describe('formatSeconds', () => {
  it('writes a span in the unit that reads best', () => {
    expect([null, 0, 45, 119, 750, 7199, 22_320, 172_799, 302_400].map(formatSeconds)).toEqual([
      '',
      '0 s',
      '45 s',
      '119 s',
      '12.5 min',
      '120.0 min',
      '6.2 h',
      '48.0 h',
      '3.5 days',
    ])
  })
})

describe('formatCsv', () => {
  it('quotes what needs quoting, and defuses what a spreadsheet would run', () => {
    const rows = [
      { event: 'Page Viewed', title: 'Shoes, "new"', n: '12', revenue: -4.5, tags: ['a', 'b'], note: null },
      { event: '=HYPERLINK("x")', title: 'two\nlines', n: '-3', revenue: 0, tags: [], note: '@me' },
    ]
    expect(formatCsv(rows)).toBe(
      [
        'event,title,n,revenue,tags,note',
        'Page Viewed,"Shoes, ""new""",12,-4.5,"[""a"",""b""]",',
        `"'=HYPERLINK(""x"")","two\nlines",-3,0,[],'@me`,
        '',
      ].join('\r\n'),
    )
    expect(formatCsv([])).toBe('')
  })
})

describe('counted', () => {
  it('puts the noun in the plural unless the count is one', () => {
    expect([0, 1, 2].map((n) => counted(n, 'response'))).toEqual(['0 responses', '1 response', '2 responses'])
    expect(counted(1, 'person', 'people')).toBe('1 person')
    expect(counted(3, 'person', 'people')).toBe('3 people')
  })
})
