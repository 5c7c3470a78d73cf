import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AcquisitionResult, AttributionResult } from '@touchpoint/analytics'
import { Touchpoint } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn, tempDir } from './helpers/collector'
import { basic, eventually, post } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * Ad spend from a CSV file, through a real CLI process and collector, set beside the revenue attribution credits
 * to the campaigns that the visits' tags name.
 */
let collector: RunningCollector | undefined
let env: Record<string, string>
let keys: ReturnType<typeof keysIn>
let dir = ''
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const DAY = 86_400_000
const today = new Date()
const dayOf = (daysAgo: number) => new Date(today.getTime() - daysAgo * DAY).toISOString().slice(0, 10)
const range = ['--from', dayOf(7), '--to', dayOf(-1), '--timezone', 'UTC']

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  dir = started.dir
  keys = keysIn(dir)
  env = cliEnvOf(started)
})
afterAll(async () => {
  await collector?.close()
})

const spendFile = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

describe('POST /api/ad-spend', () => {
  const url = () => `${collector!.url}/api/ad-spend`
  const admin = () => ({ authorization: `Bearer ${keys.adminKey}` })
  const row = { day: dayOf(1), source: 'google', medium: 'cpc', campaign: 'brand', cost: 10, currency: 'EUR' }

  it('takes only the admin key', async () => {
    const res = await post(url(), { project: 'dev', rows: [row] }, { authorization: basic(keys.secretKey) })
    expect(res.status).toBe(401)
  })

  it('refuses a row that is not right, naming its field and why', async () => {
    const bad = await post(url(), { project: 'dev', rows: [row, { ...row, cost: -1 }] }, admin())
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ code: 'TP_ERR_INVALID_BODY', path: 'rows[1].cost' })
    const day = await post(url(), { project: 'dev', rows: [{ ...row, day: '2026-02-30' }] }, admin())
    expect(day.body).toMatchObject({
      path: 'rows[0].day',
      message: expect.stringContaining('calendar'),
    })
    // a month 13, which Date cannot read at all (the fuzz test found it answered 500)
    const month = await post(url(), { project: 'dev', rows: [{ ...row, day: '2026-13-01' }] }, admin())
    expect(month.status).toBe(400)
    expect(month.body).toMatchObject({ path: 'rows[0].day' })
    // one day's campaign in two currencies
    const mixed = await post(url(), { project: 'dev', rows: [row, { ...row, currency: 'usd' }] }, admin())
    expect(mixed.status).toBe(400)
    expect(mixed.body).toMatchObject({ path: 'rows[1].currency' })
    const unknown = await post(url(), { project: 'nope', rows: [row] }, admin())
    expect(unknown.status).toBe(404)
  })
})

describe('touchpoint spend', () => {
  it("stores a CSV file's spend, and attribution sets it beside the revenue of the campaigns it paid for", async () => {
    // a visit from a Google ad, and the order its visitor placed
    const visit = {
      type: 'page',
      anonymousId: 'ad-1',
      properties: { url: 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand' },
      context: { sessionId: 's-ad-1' },
      timestamp: new Date(today.getTime() - DAY).toISOString(),
    }
    const sent = await post(
      `${collector!.url}/v1/batch`,
      { batch: [visit] },
      { authorization: basic(keys.writeKey), 'user-agent': CHROME },
    )
    expect(sent.status).toBe(200)
    const client = new Touchpoint({ secretKey: keys.secretKey, host: collector!.url })
    client.orderCompleted({
      anonymousId: 'ad-1',
      timestamp: new Date(today.getTime() - DAY + 60_000),
      properties: { orderId: 'AD-1', revenue: 90, currency: 'EUR', channel: 'web' },
    })
    await client.close()

    // two ad groups of one campaign on one day add up; a Facebook campaign brought nothing
    const file = spendFile(
      'spend.csv',
      [
        'Day,Source,Medium,Campaign,Cost,Currency,Clicks,Impressions',
        `${dayOf(1)},google,cpc,brand,20,EUR,12,400`,
        `${dayOf(1)},google,cpc,brand,10,EUR,3,100`,
        `${dayOf(2)},facebook,paid_social,"spring, retargeting",15.5,eur,,`,
      ].join('\n'),
    )
    const stored = await cli(['spend', file], env)
    expect(stored.stderr).toBe('')
    expect(stored.stdout).toBe(
      `stored 2 rows of ad spend for project dev, ${dayOf(2)} to ${dayOf(1)}: 45.50 EUR\n`,
    )

    const ask = () =>
      cli(['attribution', '--by', 'campaign', '--model', 'last_touch', '--json', ...range], env)
    const answer = await eventually(ask, (r) => r.stdout.includes('"revenue": 90'))
    const r = JSON.parse(answer.stdout) as AttributionResult
    const rows = Object.fromEntries(r.models[0]!.rows.map((x) => [x.key, x]))
    expect(rows.brand).toMatchObject({
      conversions: 1,
      revenue: 90,
      cost: 30,
      roas: 3,
      costPerConversion: 30,
    })
    expect(rows['spring, retargeting']).toMatchObject({ conversions: 0, cost: 15.5, roas: 0 })
    expect(r.spend).toMatchObject({ cost: 45.5, clicks: 15, impressions: 500, currencies: ['EUR'] })

    // the text: cost and return beside each campaign, and the spend beneath
    const text = await cli(['attribution', '--by', 'campaign', '--model', 'last_touch', ...range], env)
    expect(text.stdout).toMatch(
      /\nbrand\s+1\.00\s+90\.00 EUR\s+100\.0%\s+30\.00 EUR\s+3\.00×\s+30\.00 EUR\s*\n/,
    )
    expect(text.stdout).toContain(
      'Ad spend 45.50 EUR (15 clicks, 500 impressions): blended return 1.98× (all revenue ÷ spend), 45.50 EUR a conversion',
    )

    // what acquiring the customer the brand campaign first brought cost, and what the campaign that brought nobody cost
    const acq = await cli(['report', 'acquisition', '--by', 'campaign', '--json', ...range], env)
    const acquired = JSON.parse(acq.stdout) as AcquisitionResult
    expect(acquired.rows.find((x) => x.key === 'brand')).toMatchObject({
      people: 1,
      customers: 1,
      cost: 30,
      costPerCustomer: 30,
      roas: 3,
    })
    expect(acquired.rows.find((x) => x.key === 'spring, retargeting')).toMatchObject({
      people: 0,
      cost: 15.5,
    })
    const acqText = await cli(['report', 'acquisition', '--by', 'campaign', ...range], env)
    expect(acqText.stdout).toMatch(
      /\nbrand\s+1\s+1\s+100\.0%\s+1\s+90\.00 EUR\s+90\.00 EUR\s+0\.0\s+30\.00 EUR\s+30\.00 EUR\s+3\.00×\s*\n/,
    )

    // the sessions each campaign brought, what one cost; the order came from the shop's server, in no session
    const sessions = await cli(['report', 'traffic', '--by', 'campaign', ...range], env)
    expect(sessions.stdout).toMatch(
      /\nbrand\s+1\s+1\s+100\.0%.*\s0\.00\s+30\.00 EUR\s+30\.00 EUR\s+0\.00×\s*\n/,
    )
    expect(sessions.stdout).toMatch(/\nspring, retargeting\s+0\s+0\s.*\s15\.50 EUR\s+0\.00×\s*\n/)

    // the day sent again with its corrected cost replaces it
    await cli(
      [
        'spend',
        spendFile(
          'fix.csv',
          `day,source,medium,campaign,cost,currency\n${dayOf(1)},google,cpc,brand,45,EUR\n`,
        ),
      ],
      env,
    )
    const fixed = JSON.parse((await ask()).stdout) as AttributionResult
    expect(fixed.models[0]!.rows.find((x) => x.key === 'brand')).toMatchObject({ cost: 45, roas: 2 })
  })

  it("stores an ad platform's report as it downloads: UTF-16, a title above the header, totals beneath", async () => {
    const report = [
      'Campaign report',
      `"${dayOf(5)} - ${dayOf(4)}"`,
      'Day\tCampaign\tCurrency code\tCost\tImpr.\tClicks',
      `${dayOf(5)}\twinter\tEUR\t1,040.10\t"12,000"\t35`,
      `${dayOf(4)}\twinter\tEUR\t38.00\t1,100\t30`,
      'Total: Account\t\tEUR\t1,078.10\t13,100\t65',
    ].join('\r\n')
    const file = join(dir, 'google-ads.csv')
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(report, 'utf16le')]))
    const map = [
      '--map',
      'campaign=Campaign',
      '--map',
      'currency=Currency code',
      '--map',
      'impressions=Impr.',
    ]
    const run = await cli(['spend', file, ...map, '--set', 'source=google', '--set', 'medium=cpc'], env)
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(
      `stored 2 rows of ad spend for project dev, ${dayOf(5)} to ${dayOf(4)}: 1078.10 EUR\n` +
        "left out 2 lines above the header and the report's totals (line 6)\n",
    )
    const sql = await cli(
      [
        'sql',
        "SELECT day, cost, impressions FROM ad_spend FINAL WHERE campaign = 'winter' ORDER BY day",
        '--json',
      ],
      env,
    )
    expect(JSON.parse(sql.stdout)).toEqual([
      { day: dayOf(5), cost: 1040.1, impressions: 12000 },
      { day: dayOf(4), cost: 38, impressions: 1100 },
    ])
  })

  it('names the line and the column of a row that is not right, and stores none of the file', async () => {
    const file = spendFile(
      'bad.csv',
      `day,source,cost,currency\n${dayOf(3)},bing,5,EUR\n${dayOf(3)},bing,five,EUR\n`,
    )
    const run = await cli(['spend', file], env)
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('line 3: cost:')
    const typo = await cli(['spend', spendFile('typo.csv', 'day,source,cots,currency\n')], env)
    expect(typo.stderr).toContain('unknown column "cots"')
    const mixed = `day,source,cost,currency\n${dayOf(3)},bing,5,EUR\n\n${dayOf(3)},bing,6,USD\n`
    const twice = await cli(['spend', spendFile('mixed.csv', mixed)], env)
    expect(twice.stderr).toContain(`line 4: currency: ${dayOf(3)} bing// came earlier in EUR`)
    const sql = await cli(
      ['sql', "SELECT count() AS n FROM ad_spend FINAL WHERE source = 'bing'", '--json'],
      env,
    )
    expect(JSON.parse(sql.stdout)).toEqual([{ n: 0 }])
  })

  it('sends a large file in requests the collector takes, and stores every row of it', async () => {
    // 6,000 days and campaigns with long names: about 1.6 MB, past the collector's 1 MiB a request
    const long = 'é'.repeat(60)
    const lines = ['day,source,medium,campaign,cost,currency']
    for (let d = 0; d < 30; d++)
      for (let c = 0; c < 200; c++) lines.push(`${dayOf(40 + d)},yahoo,cpc,${long}-${c},1.25,EUR`)
    const run = await cli(['spend', spendFile('large.csv', lines.join('\n'))], env)
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('stored 6000 rows of ad spend for project dev')
    const sql = await cli(
      ['sql', "SELECT count() AS n, sum(cost) AS cost FROM ad_spend FINAL WHERE source = 'yahoo'", '--json'],
      env,
    )
    expect(JSON.parse(sql.stdout)).toEqual([{ n: 6000, cost: 7500 }])
  })

  it('stores into ClickHouse itself when no collector answers', async () => {
    const own = tempDir('tp-spend-')
    const direct = { TOUCHPOINT_DATA_DIR: own, TOUCHPOINT_URL: 'http://127.0.0.1:9' }
    expect((await cli(['migrate'], direct)).code).toBe(0)
    const file = join(own, 'spend.csv')
    writeFileSync(file, `day,source,medium,campaign,cost,currency\n${dayOf(1)},google,cpc,brand,12.5,EUR\n`)
    const run = await cli(['spend', file, '--project', 'shop'], direct)
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('stored 1 rows of ad spend for project shop')
    const rows = await cli(['sql', 'SELECT project_id, channel, cost FROM ad_spend FINAL', '--json'], direct)
    expect(JSON.parse(rows.stdout)).toEqual([{ project_id: 'shop', channel: 'Paid Search', cost: 12.5 }])
  })
})
