import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, freePort, keysIn, ROOT } from './helpers/collector'
import { basic, eventually, post } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/** `touchpoint funnel|attribution|profile|report` as a user runs them: a real CLI process, real data. */
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

let collector: RunningCollector | undefined
let env: Record<string, string>
/** when the visitors below viewed /pricing */
let viewedAt = 0
const range = [
  '--from',
  new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
  '--to',
  new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
]

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  const keys = keysIn(started.dir)
  env = cliEnvOf(started)
  const now = Date.now()
  viewedAt = now - 60_000
  const batch = ['a', 'b', 'c'].flatMap((who, i) => [
    {
      type: 'page',
      anonymousId: who,
      properties: { path: '/pricing' },
      context: { sessionId: `s-${who}` },
      timestamp: new Date(now - 60_000).toISOString(),
    },
    ...(i < 2
      ? [
          {
            type: 'track',
            event: 'Signed Up',
            anonymousId: who,
            timestamp: new Date(now - 30_000).toISOString(),
          },
        ]
      : []),
    ...(i < 1
      ? [
          {
            type: 'track',
            event: 'Order Completed',
            anonymousId: who,
            properties: { revenue: 99, currency: 'EUR' },
            timestamp: new Date(now).toISOString(),
          },
        ]
      : []),
  ])
  // an order in another currency, from somebody who came in no funnel
  batch.push({
    type: 'track',
    event: 'Order Completed',
    anonymousId: 'd',
    properties: { revenue: 10, currency: 'USD' },
    timestamp: new Date(now).toISOString(),
  })
  const res = await post(
    `${collector.url}/v1/batch`,
    { batch },
    { authorization: basic(keys.writeKey), 'user-agent': CHROME },
  )
  expect(res.body.accepted).toBe(7)
  await eventually(
    () => cli(['funnel', '--json', ...range, '--step', 'Order Completed'], env),
    (r) => r.code === 0 && JSON.parse(r.stdout).steps[0].people === 2,
  )
})
afterAll(async () => collector?.close())

describe('touchpoint CLI analytics', () => {
  it('prints a funnel table from the running collector', async () => {
    const r = await cli(
      [
        'funnel',
        ...range,
        '--step',
        'Page Viewed[path=/pricing]',
        '--step',
        'Signed Up',
        '--step',
        'Order Completed',
      ],
      env,
    )
    expect(r.stderr).toBe('')
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^step\s+event\s+people/)
    // a step with filters is named by them, so two steps of one event tell apart
    expect(lines[2]).toMatch(/^1\s+Page Viewed\[path=\/pricing\]\s+3\s+100\.0%/)
    expect(lines[3]).toMatch(/^2\s+Signed Up\s+2\s+66\.7%/)
    expect(lines[4]).toMatch(/^3\s+Order Completed\s+1\s+33\.3%\s+50\.0%\s+1/)
  })

  it('lists who dropped out at a step, as a table and as CSV for a spreadsheet, from the running collector', async () => {
    const steps = ['--step', 'Page Viewed[path=/pricing]', '--step', 'Signed Up', '--step', 'Order Completed']
    const r = await cli(['funnel', ...range, ...steps, '--people', 'dropped:3'], env)
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(
      /^1 person dropped out at step 3 \(Order Completed\); the latest to enter first:\n/,
    )
    expect(r.stdout).toMatch(/\nb\s+2\s+\d{4}-\d\d-\d\d \d\d:\d\d/)
    const csv = await cli(
      ['funnel', ...range, ...steps, '--people', 'reached:2', '--traits', 'email', '--csv'],
      env,
    )
    const lines = csv.stdout.trimEnd().split('\r\n')
    // these visitors sent no traits: the column is there, empty
    expect(lines[0]).toBe('person,steps_reached,entered_at,traits.email,step_1_at,step_2_at,step_3_at')
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',').slice(0, 2).join(','))
        .sort(),
    ).toEqual(['a,3', 'b,2'])
    const bad = await cli(['funnel', ...range, ...steps, '--people', 'dropped:1'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('step: must be 2 or more to drop out')
    const stray = await cli(['funnel', ...range, ...steps, '--csv'], env)
    expect(stray.code).not.toBe(0)
    expect(stray.stderr).toContain('and --csv go with --people')
  })

  it('prints a funnel by the day people entered it, and lists the people of one day', async () => {
    const steps = ['--step', 'Page Viewed[path=/pricing]', '--step', 'Signed Up', '--timezone', 'UTC']
    const r = await cli(['funnel', ...range, ...steps, '--interval', 'day'], env)
    expect(r.stderr).toBe('')
    const byDay = r.stdout.split('\nBy the day they entered:\n')[1]?.trimEnd().split('\n') ?? []
    expect(byDay[0]).toMatch(/^day\s+1\. Page Viewed\[path=\/pricing\]\s+2\. Signed Up\s+converted$/)
    // the range's two days, yesterday and today: a, b and c entered on the day they viewed /pricing
    const day = new Date(viewedAt).toISOString().slice(0, 10)
    const rows = byDay.slice(2)
    expect(rows.map((row) => row.slice(0, 10))).toEqual([
      range[1],
      new Date(Date.parse(range[3]!) - 86_400_000).toISOString().slice(0, 10),
    ])
    expect(rows.filter((row) => new RegExp(`^${day}\\s+3\\s+2\\s+66\\.7%$`).test(row))).toHaveLength(1)
    const dropped = await cli(
      ['funnel', ...range, ...steps, '--interval', 'day', '--people', 'dropped:2', '--period', day],
      env,
    )
    expect(dropped.stdout).toMatch(/^1 person dropped out at step 2 \(Signed Up\)/)
    expect(dropped.stdout).toMatch(/\nc\s+1\s+/)
    const alone = await cli(['funnel', ...range, ...steps, '--people', 'dropped:2', '--period', day], env)
    expect(alone.code).not.toBe(0)
    expect(alone.stderr).toContain('period: needs an interval to be a period of')
  })

  it('prints what the collector refused, by code and field, from the running collector', async () => {
    const keys = keysIn(env.TOUCHPOINT_DATA_DIR!)
    const res = await post(
      `${env.TOUCHPOINT_URL}/v1/batch`,
      { batch: [{ type: 'track', anonymousId: 'r1' }] },
      { authorization: basic(keys.writeKey), 'user-agent': CHROME },
    )
    expect(res.body.rejected[0].issues[0].path).toBe('event')
    const r = await eventually(
      () => cli(['report', 'rejected', ...range], env),
      (x) => x.stdout.includes('TP_ERR_VALIDATION'),
    )
    expect(r.stdout).toMatch(/^1 call refused in the range\n/)
    expect(r.stdout).toMatch(
      /\nTP_ERR_VALIDATION\s+event\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+browser\s+is required \(string\)/,
    )
    expect(r.stdout).toContain('FROM events_rejected')
  })

  it('prints every model side by side, and one model as JSON', async () => {
    const all = await cli(['attribution', ...range], env)
    expect(all.stdout).toContain('2 conversions, revenue 109.00 (EUR+USD), by channel')
    expect(all.stdout).toMatch(/Direct\s+2\.00\s+2\.00/)
    const one = await cli(['attribution', ...range, '--model', 'markov', '--json'], env)
    expect(JSON.parse(one.stdout)).toMatchObject({ currencies: ['EUR', 'USD'] })
    expect(JSON.parse(one.stdout).models[0]).toMatchObject({
      model: 'markov',
      totals: { conversions: 2, revenue: 109 },
    })
    // nothing was refunded: the orders kept all of it, and the heading says which revenue it is
    const net = await cli(['attribution', ...range, '--net-of-refunds'], env)
    expect(net.stdout).toContain('2 conversions, revenue kept after refunds 109.00 (EUR+USD), by channel')
  })

  it('says when revenue mixes currencies, and how to see one', async () => {
    const all = await cli(['attribution', ...range], env)
    expect(all.stdout).toContain(
      'Revenue adds up amounts in EUR, USD, which are not converted; for one currency, narrow the conversion: --conversion "Order Completed[currency=EUR]".',
    )
    const eur = await cli(['attribution', ...range, '--conversion', 'Order Completed[currency=EUR]'], env)
    expect(eur.stdout).toContain('1 conversion, revenue 99.00 EUR, by channel')
    expect(eur.stdout).not.toContain('Revenue adds up')
    const orders = await cli(['report', 'orders', ...range], env)
    expect(orders.stdout).toMatch(
      /By currency\ncurrency\s+orders\s+revenue\n[─\s]+\nEUR\s+1\s+99\.00\s*\nUSD\s+1\s+10\.00/,
    )
    // the orders say nothing of their own channel (web, store…): the table says so instead of a blank
    expect(orders.stdout).toMatch(
      /By the order's channel \(properties\.channel\)\nchannel\s+orders\s+revenue\s*\n[─\s]+\n\(not set\)\s+2\s+109\.00 \(EUR\+USD\)/,
    )
  })

  it('prints the sessions by channel, with a total row', async () => {
    const r = await cli(['report', 'traffic', ...range], env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(
      /^channel\s+sessions\s+visitors\s+bounce rate\s+length \(median\)\s+converting sessions\s+conversion rate\s+conversions\s+revenue/,
    )
    // the three page views came with session ids and no referrer; the orders carried no session id
    expect(lines[2]).toMatch(/^Direct\s+3\s+3\s+100\.0%\s+0 s\s+0\s+0\.0%\s+0\s+0\.00/)
    expect(lines[3]).toMatch(/^\(all\)\s+3\s+3\s+100\.0%\s+0 s\s+0/)
    // by what they came with: Chrome's user agent on every page view
    const byBrowser = (await cli(['report', 'traffic', ...range, '--by', 'browser'], env)).stdout.split('\n')
    expect(byBrowser[0]).toMatch(/^browser\s+sessions/)
    expect(byBrowser[2]).toMatch(/^Chrome\s+3\s+3/)
  })

  it('prints the pages with a total row, and refuses a --limit that is no number', async () => {
    const r = await cli(['report', 'pages', ...range], env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(
      /^path\s+views\s+visitors\s+entries\s+bounce rate\s+exits\s+exit rate\s+visible \(median\)\s+scrolled \(mean\)/,
    )
    // three sessions, each of the one page view of /pricing
    expect(lines[2]).toMatch(/^\/pricing\s+3\s+3\s+3\s+100\.0%\s+3\s+100\.0%/)
    expect(lines[3]).toMatch(/^\(all\)\s+3\s+3\s+3\s+100\.0%/)
    const bad = await cli(['report', 'pages', ...range, '--limit', 'all'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('limit')
  })

  it('lists the event names with their people, and says how many a --limit left out', async () => {
    const r = await cli(['report', 'events', ...range], env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^event\s+events\s+people\s+share\s+first seen \(UTC\)\s+last seen \(UTC\)/)
    // a, b, c viewed a page; a and b signed up; a and d ordered
    expect(lines[2]).toMatch(/^Page Viewed\s+3\s+3\s+75\.0%\s+\d{4}-\d\d-\d\d \d\d:\d\d/)
    expect(lines[3]).toMatch(/^Order Completed\s+2\s+2\s+50\.0%/)
    expect(lines[4]).toMatch(/^Signed Up\s+2\s+2\s+50\.0%/)
    expect(lines[5]).toMatch(/^\(all\)\s+7\s+4/)
    const one = await cli(['report', 'events', ...range, '--limit', '1'], env)
    expect(one.stdout).toContain('2 more event names; --limit N lists more')
  })

  it("lists an event's properties, with their types and a few values", async () => {
    const r = await cli(['report', 'properties', ...range, '--event', 'Order Completed'], env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('Order Completed: 2 events in the range')
    expect(lines[1]).toMatch(/^property\s+events\s+share\s+types\s+examples/)
    expect(lines[3]).toMatch(/^currency\s+2\s+100\.0%\s+String\s+"EUR"\s+"USD"/)
    expect(lines[4]).toMatch(/^revenue\s+2\s+100\.0%\s+Int64\s+10\s+99/)
    const none = await cli(['report', 'properties', ...range], env)
    expect(none.code).not.toBe(0)
    expect(none.stderr).toContain(
      'report properties lists one event\'s properties: --event "Order Completed" (report events lists the names)',
    )
  })

  it('prints who is on the site now', async () => {
    const r = await cli(['report', 'live'], env)
    expect(r.code, r.stderr).toBe(0)
    // a, b and c viewed /pricing a minute ago; a and d ordered (d with no session)
    expect(r.stdout).toMatch(/^4 visitors in the last 5 minutes: 3 sessions, 3 page views, 2 orders\n/)
    expect(r.stdout).toMatch(/On now\npath\s+sessions\n[─\s]+\n\/pricing\s+3/)
    const quiet = await cli(['report', 'live', '--minutes', 'x'], env)
    expect(quiet.stderr).toContain('minutes')
  })

  it('prints the cohorts of first activity, with the share back in each week', async () => {
    const r = await cli(['report', 'retention', ...range], env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^cohort\s+people\s+week 0/)
    // a, b, c and d were all first active today
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\d\s+4\s+100\.0%/)
    expect(lines[3]).toMatch(/^\(average\)\s+100\.0%/)
    expect(r.stdout).toContain('A cohort is the people first active in that week (UTC)')
    const orders = await cli(['report', 'retention', ...range, '--event', 'Order Completed', '--json'], env)
    expect(JSON.parse(orders.stdout).cohorts).toMatchObject([{ people: 2, retained: [2] }])
    // by the channel of each person's first activity: all four came direct
    const byChannel = await cli(['report', 'retention', ...range, '--breakdown', 'channel'], env)
    expect(byChannel.stdout).toMatch(
      /By channel of their first activity \(the average over their cohorts\)\nchannel\s+people\s+week 0\s*\n[─\s]+\nDirect\s+4\s+100\.0%/,
    )
  })

  it('prints what people did after viewing pricing: the next steps and the commonest paths', async () => {
    const start = 'Page Viewed[path=/pricing]'
    const r = await cli(['report', 'paths', ...range, '--start', start], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      /^3 people did Page Viewed\[path=\/pricing\] in the range; what they did next:\n/,
    )
    expect(r.stdout).toMatch(/\nSigned Up\s+2\s+66\.7%\s*\n\(end\)\s+1\s+33\.3%/)
    // a ordered after signing up; b signed up only; c did nothing more
    const csv = await cli(['report', 'paths', ...range, '--start', start, '--csv'], env)
    expect(
      csv.stdout
        .trimEnd()
        .split('\r\n')
        .map((l) => l.split(',').slice(0, 2).join(',')),
    ).toEqual(['steps,people', '(end),1', 'Signed Up → (end),1', 'Signed Up → Order Completed → (end),1'])
  })

  it("begins the paths at each person's first page view without --start, and says so", async () => {
    const r = await cli(['report', 'paths', ...range], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^3 people did Page Viewed in the range; what they did next:\n/)
    expect(r.stdout).toContain(
      'From each person\'s first page view; --start "Page Viewed[path=/pricing]" starts elsewhere',
    )
  })

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'))
    for (const flag of ['--version', '-v', 'version']) {
      const r = await cli([flag], env)
      expect(r).toMatchObject({ code: 0, stderr: '' })
      expect(r.stdout).toBe(`touchpoint ${version} (Node.js ${process.versions.node})\n`)
    }
  })

  it("writes a query's rows as CSV for a spreadsheet", async () => {
    const query = 'SELECT event, path, count() AS n FROM events WHERE event = {e:String} GROUP BY event, path'
    const r = await cli(['sql', '--csv', query, '--param', 'e=Page Viewed'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('event,path,n\r\nPage Viewed,/pricing,3\r\n')
  })

  it('prints each survey question with its figures and answers', async () => {
    const answer = (user: string, question: string, type: string, value: unknown) => ({
      type: 'track',
      event: 'Survey Answered',
      userId: user,
      properties: { survey: 'after-support', question, type, answer: value },
    })
    const batch = [
      answer('u1', 'How satisfied were you?', 'csat', 5),
      answer('u2', 'How satisfied were you?', 'csat', 2),
      answer('u1', 'Anything else?', 'text', 'Kind and quick'),
    ]
    const secret = keysIn(env.TOUCHPOINT_DATA_DIR!).secretKey
    expect(
      (await post(`${collector!.url}/v1/batch`, { batch }, { authorization: basic(secret) })).status,
    ).toBe(200)
    const report = () => cli(['report', 'survey', ...range, '--survey', 'after-support'], env)
    const r = await eventually(report, (x) => x.stdout.includes('Kind and quick'))
    expect(r.stdout).toContain(
      'after-support: How satisfied were you? (csat): 2 responses, average 3.50, satisfied 50.0%',
    )
    expect(r.stdout).toMatch(/answer\s+count\s*\n[─\s]+\n1\s+0\s*\n2\s+1\s*\n3\s+0\s*\n4\s+0\s*\n5\s+1/)
    expect(r.stdout).toContain('after-support: Anything else? (text): 1 response')
  })

  it('reports a clear error for a bad request, with a non-zero exit', async () => {
    const r = await cli(['attribution', ...range, '--model', 'magic'], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('TP_ERR_INVALID_BODY: model')
  })

  it('answers from the embedded data directory when no collector runs', async () => {
    await collector?.close()
    collector = undefined
    const dead = `http://127.0.0.1:${await freePort()}`
    const r = await cli(['report', 'orders', '--json', ...range], { ...env, TOUCHPOINT_URL: dead })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ orders: 2, revenue: 109 })
    const profile = await cli(['profile', 'a'], { ...env, TOUCHPOINT_URL: dead })
    expect(profile.stdout).toMatch(/orders\s+1, revenue 99\.00 EUR/)
    // a project that reports in euros, a dollar worth 0.9 of them: the 10 dollars add up as 9 euros
    const file = JSON.parse(readFileSync(join(env.TOUCHPOINT_DATA_DIR!, 'touchpoint.json'), 'utf8'))
    file.projects[0] = { ...file.projects[0], currency: 'EUR', exchangeRates: { USD: 0.9 } }
    const config = join(mkdtempSync(join(tmpdir(), 'tp-cli-eur-')), 'touchpoint.json')
    writeFileSync(config, JSON.stringify(file))
    const inEuros = await cli(['report', 'orders', ...range], {
      ...env,
      TOUCHPOINT_URL: dead,
      TOUCHPOINT_CONFIG: config,
    })
    expect(inEuros.stdout, inEuros.stderr).toMatch(/^orders\s+revenue.*\n[─\s]+\n2\s+108\.00 EUR/)
    expect(inEuros.stdout).not.toContain('Revenue adds up')
    expect(inEuros.stdout).toMatch(
      /By currency\ncurrency\s+orders\s+revenue\s+converted\n[─\s]+\nEUR\s+1\s+99\.00\s+99\.00 EUR\s*\nUSD\s+1\s+10\.00\s+9\.00 EUR/,
    )
  })
})
