import { describe, expect, it } from 'vitest'
import { parseSpendCsv } from './ad-spend'

const rowsOf = (text: string, columns?: Parameters<typeof parseSpendCsv>[1]) =>
  parseSpendCsv(text, columns).map((r) => r.row)

describe('parseSpendCsv', () => {
  it("reads a file by the fields' own names, in any order, quoted fields and empty optional ones too", () => {
    const text =
      'Currency,Cost,Day,Source,Campaign,Clicks\r\neur,12.5,2026-11-02,google,"Brand, ""exact""",\r\n'
    expect(rowsOf(text)).toEqual([
      {
        day: '2026-11-02',
        source: 'google',
        medium: '',
        campaign: 'Brand, "exact"',
        cost: 12.5,
        currency: 'EUR',
        clicks: 0,
        impressions: 0,
      },
    ])
  })

  it("reads an ad platform's export with --map, leaving its other columns alone, and --set for what it lacks", () => {
    const googleAds = [
      'Day,Campaign,Campaign type,Cost,Impr.,Clicks,Avg. CPC',
      '2026-11-02,spring-sale,Search,40.10,1200,35,1.15',
      '2026-11-03,spring-sale,Search,38.00,1100,30,1.27',
    ].join('\n')
    const rows = rowsOf(googleAds, {
      map: { campaign: 'Campaign', impressions: 'Impr.' },
      set: { source: 'google', medium: 'cpc', currency: 'usd' },
    })
    expect(rows).toEqual([
      expect.objectContaining({
        day: '2026-11-02',
        source: 'google',
        medium: 'cpc',
        campaign: 'spring-sale',
      }),
      expect.objectContaining({
        day: '2026-11-03',
        cost: 38,
        currency: 'USD',
        clicks: 30,
        impressions: 1100,
      }),
    ])
  })

  it("reads a spreadsheet's export: a byte order mark before the header, fields split by semicolons or tabs", () => {
    const semicolons =
      '\ufeffDay;Source;Cost;Currency;Campaign\r\n2026-11-02;meta;12.50;eur;"spring; sale"\r\n'
    expect(rowsOf(semicolons)).toEqual([
      expect.objectContaining({ source: 'meta', cost: 12.5, campaign: 'spring; sale' }),
    ])
    const tabs = 'Day\tSource\tCost\tCurrency\n2026-11-02\tbing\t3\tUSD\n'
    expect(rowsOf(tabs)).toEqual([expect.objectContaining({ source: 'bing', cost: 3, currency: 'USD' })])
  })

  it('refuses a column of another name without --map, a mapped column that is not there, and a missing field', () => {
    expect(() => rowsOf('day,source,cots,currency\n')).toThrow('line 1: unknown column "cots"')
    expect(() => rowsOf('Day,Cost\n', { map: { campaign: 'Campaign' } })).toThrow(
      'line 1: no column "Campaign" for --map campaign',
    )
    expect(() => rowsOf('day,cost,currency\n')).toThrow(
      'line 1: the column source is missing (--map source=COLUMN',
    )
  })

  it('names the line and field of a value that is not right, a quoted field spanning lines counting as one record', () => {
    const text =
      'day,source,campaign,cost,currency\n2026-11-02,google,"two\nlines",1,EUR\n2026-11-31,google,x,1,EUR\n'
    expect(() => rowsOf(text)).toThrow('line 4: day: is not a day of the calendar')
    expect(() => rowsOf('day,source,cost,currency\n2026-11-02,google,1.234,56,EUR\n')).toThrow(
      'line 2: currency',
    )
    expect(() => rowsOf('day,source,cost,currency\n2026-11-02,google,"1,234.56",EUR\n')).toThrow(
      'line 2: cost: "1,234.56" is not a number (written as 1234.56, no thousands separator)',
    )
  })
})
