import { describe, expect, it } from 'vitest'
import { attributionCsv, reportCsv } from './report-csv'

const lines = (csv: string) => csv.trimEnd().split('\r\n')

describe('reportCsv', () => {
  it("writes a report's rows and its total row with the rows' columns", () => {
    const traffic = {
      by: 'channel',
      rows: [
        { key: 'Email', sessions: 3, visitors: 2, currencies: ['EUR'] },
        { key: 'Direct, typed', sessions: 1, visitors: 1, currencies: [] },
      ],
      total: { sessions: 4, visitors: 3, currencies: ['EUR'] },
    }
    expect(lines(reportCsv('traffic', traffic))).toEqual([
      'key,sessions,visitors,currencies',
      'Email,3,2,"[""EUR""]"',
      '"Direct, typed",1,1,[]',
      '(all),4,3,"[""EUR""]"',
    ])
  })

  it('writes the total of a report with no rows from its own figures, not its lists', () => {
    const support = { by: 'channel', opened: 0, resolved: 0, rows: [], medianResolutionSeconds: null }
    expect(lines(reportCsv('support', support))).toEqual([
      'value,by,opened,resolved,medianResolutionSeconds',
      '(all),channel,0,0,',
    ])
  })

  it('writes the periods of a report asked by interval, the list of one asked without', () => {
    const figures = { activeAtStart: 1, activeAtEnd: 2 }
    const plans = [{ plan: 'basic', ...figures }]
    const series = [
      { start: '2026-11-02', started: 1, cancelled: 0, activeAtEnd: 2, mrrAtEnd: 19.8 },
      { start: '2026-11-09', started: 0, cancelled: 1, activeAtEnd: 1, mrrAtEnd: 9.9 },
    ]
    expect(lines(reportCsv('subscriptions', { ...figures, plans, series }))).toEqual([
      'start,started,cancelled,activeAtEnd,mrrAtEnd',
      '2026-11-02,1,0,2,19.8',
      '2026-11-09,0,1,1,9.9',
    ])
    expect(lines(reportCsv('subscriptions', { ...figures, plans }))).toEqual([
      'plan,activeAtStart,activeAtEnd',
      'basic,1,2',
      '(all),1,2',
    ])
  })

  it('refuses a report that is not one list, and says what gives all of it', () => {
    expect(() => reportCsv('orders', {})).toThrow(
      '--csv: the orders report is not one list; --json gives all of it',
    )
  })

  it('writes attribution as a row for each model and key', () => {
    const r = {
      by: 'channel',
      conversions: 2,
      revenue: 30,
      currencies: ['EUR'],
      models: [
        {
          model: 'first_touch',
          rows: [{ key: 'Email', conversions: 2, revenue: 30 }],
          totals: { conversions: 2, revenue: 30 },
        },
        {
          model: 'linear',
          rows: [
            { key: 'Email', conversions: 1.5, revenue: 20 },
            { key: '=cmd', conversions: 0.5, revenue: 10 },
          ],
          totals: { conversions: 2, revenue: 30 },
        },
      ],
    }
    expect(lines(attributionCsv(r as never))).toEqual([
      'model,key,conversions,revenue',
      'first_touch,Email,2,30',
      'linear,Email,1.5,20',
      "linear,'=cmd,0.5,10", // a key a spreadsheet would run as a formula is defused
    ])
  })
})

describe('reportCsv with --compare', () => {
  const row = (key: string, sessions: number, median: number | null) => ({
    key,
    sessions,
    medianDurationSeconds: median,
  })
  const traffic = {
    rows: [row('Email', 3, null), row('Paid Search', 2, 40)],
    total: { sessions: 5, medianDurationSeconds: 40 },
    previous: { rows: [row('Email', 1, 12)], total: { sessions: 1, medianDurationSeconds: 12 } },
    previousRange: { from: '2026-10-01', to: '2026-11-01', compare: 'previous' },
  }

  it("sets each figure beside the range before's, empty for a key that range did not have", () => {
    expect(lines(reportCsv('traffic', traffic))).toEqual([
      'key,sessions,previousSessions,medianDurationSeconds,previousMedianDurationSeconds',
      'Email,3,1,,12',
      'Paid Search,2,,40,',
      '(all),5,1,40,12',
    ])
  })

  it('refuses a list with no keys to set beside, naming --json', () => {
    const support = {
      rows: [],
      series: [{ start: '2026-11-02', opened: 1 }],
      previous: { rows: [], series: [] },
    }
    expect(() => reportCsv('support', support)).toThrow(/--json/)
    expect(() => reportCsv('retention', { cohorts: [], previous: { cohorts: [] } })).toThrow(/--json/)
  })

  it("sets attribution's credits beside the range before's, by model and key", () => {
    const model = (rows: Array<{ key: string; conversions: number; revenue: number }>) => ({
      model: 'linear',
      rows,
    })
    const csv = attributionCsv({
      models: [
        model([
          { key: 'Email', conversions: 2, revenue: 30 },
          { key: 'Direct', conversions: 1, revenue: 5 },
        ]),
      ],
      previous: { models: [model([{ key: 'Email', conversions: 0.5, revenue: 10 }])] },
    } as never)
    expect(lines(csv)).toEqual([
      'model,key,conversions,revenue,previousConversions,previousRevenue',
      'linear,Email,2,30,0.5,10',
      'linear,Direct,1,5,,',
    ])
  })
})
