import { describe, expect, it } from 'vitest'
import { parseSpendCsv, textOf } from './ad-spend-file'

const rowsOf = (text: string, columns?: Parameters<typeof parseSpendCsv>[1]) =>
  parseSpendCsv(text, columns).rows.map((r) => r.row)

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
    expect(() => rowsOf('day,source,cost,currency\n2026-11-02,google,12 EUR,EUR\n')).toThrow(
      'line 2: cost: "12 EUR" is not a number',
    )
  })

  it('reads numbers as spreadsheets write them, a lone "1,234" by the decimal mark of the file', () => {
    const commas = 'day,source,cost,currency,impressions\n2026-11-02,google,"1,234.56",EUR,"12,500"\n'
    expect(rowsOf(commas)).toEqual([expect.objectContaining({ cost: 1234.56, impressions: 12500 })])
    const semicolons =
      'day;source;cost;currency;impressions\n2026-11-02;meta;1.234,56;EUR;12.500\n2026-11-03;meta;1,234;EUR;0\n'
    expect(rowsOf(semicolons)).toEqual([
      expect.objectContaining({ cost: 1234.56, impressions: 12500 }),
      expect.objectContaining({ cost: 1.234 }),
    ])
    // a file split by semicolons whose decimal mark is a point
    const points = 'day;source;cost;currency\n2026-11-02;meta;1.234;EUR\n2026-11-03;meta;1,234.5;EUR\n'
    expect(rowsOf(points, { decimal: '.' })).toEqual([
      expect.objectContaining({ cost: 1.234 }),
      expect.objectContaining({ cost: 1234.5 }),
    ])
  })

  it("reads an ad platform's report: its title above the header, its totals beneath, in UTF-16", () => {
    const report = [
      'Campaign report',
      '"November 1, 2026 - November 2, 2026"',
      'Day\tCampaign\tCurrency code\tCost\tImpr.\tClicks',
      '2026-11-01\tspring-sale\tEUR\t40.10\t1,200\t35',
      '2026-11-02\tspring-sale\tEUR\t38.00\t1,100\t30',
      'Total: Account\t\tEUR\t78.10\t2,300\t65',
      'Total: Search campaigns\t--\tEUR\t78.10\t2,300\t65',
    ].join('\r\n')
    const columns = {
      map: { campaign: 'Campaign', currency: 'Currency code', impressions: 'Impr.' },
      set: { source: 'google', medium: 'cpc' },
    }
    const expected = {
      rows: [
        { line: 4, row: expect.objectContaining({ day: '2026-11-01', cost: 40.1, impressions: 1200 }) },
        {
          line: 5,
          row: expect.objectContaining({ day: '2026-11-02', cost: 38, clicks: 30, currency: 'EUR' }),
        },
      ],
      above: 2,
      totals: [6, 7],
    }
    expect(parseSpendCsv(report, columns)).toEqual(expected)
    // the same report as "Excel CSV": UTF-16 with its byte order mark
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(report, 'utf16le')])
    expect(parseSpendCsv(textOf(utf16), columns)).toEqual(expected)
    expect(textOf(Buffer.from('\ufeffday', 'utf8'))).toBe('day')
  })
})
