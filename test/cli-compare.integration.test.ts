import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { runCli as cli, keysIn } from './helpers/collector'
import { DAY, dayOf, today } from './helpers/days'
import { basic, CHROME_UA, eventually, post } from './helpers/http'
import { cliEnvOf, startTestCollector } from './helpers/in-process'

/**
 * `--compare previous|year` as a marketer runs it: last week's visits and orders beside the week before's, sent to
 * a real collector and read back by a real CLI process and over HTTP.
 */
let collector: RunningCollector | undefined
let env: Record<string, string>
let adminKey = ''
/** this week: six days ago to tomorrow; the week before it ends where it begins */
const range = ['--from', dayOf(-6), '--to', dayOf(1), '--timezone', 'UTC']

const NEWSLETTER = 'https://shop.example/?utm_source=newsletter&utm_medium=email'
const visit = (who: string, daysAgo: number, url = 'https://shop.example/') => ({
  type: 'page',
  anonymousId: who,
  properties: { url },
  context: { sessionId: `s-${who}` },
  timestamp: new Date(today - daysAgo * DAY + 10 * 3_600_000).toISOString(),
})
const order = (who: string, daysAgo: number, revenue: number) => ({
  type: 'track',
  event: 'Order Completed',
  anonymousId: who,
  properties: { revenue, currency: 'EUR' },
  context: { sessionId: `s-${who}` },
  timestamp: new Date(today - daysAgo * DAY + 11 * 3_600_000).toISOString(),
})

/** The line of a report's text that starts with `label` (a range's row, or the change's). */
const rowOf = (out: string, label: string) => out.split('\n').find((l) => l.startsWith(label)) ?? ''

beforeAll(async () => {
  const started = await startTestCollector()
  collector = started.collector
  const keys = keysIn(started.dir)
  adminKey = keys.adminKey
  env = cliEnvOf(started)
  const batch = [
    // the week before: one visit from the newsletter that ordered 40, one typed in
    visit('p1', 10, NEWSLETTER),
    order('p1', 10, 40),
    visit('p2', 10),
    // this week: two from the newsletter (one ordered 50), one typed in that ordered 10
    visit('c1', 2, NEWSLETTER),
    order('c1', 2, 50),
    visit('c2', 2, NEWSLETTER),
    visit('c3', 2),
    order('c3', 2, 10),
    // c2 left for a review site from the shop's home page
    {
      type: 'track',
      event: 'Outbound Link Clicked',
      anonymousId: 'c2',
      properties: { url: 'https://reviews.example/acme' },
      context: { sessionId: 's-c2', page: { path: '/' } },
      timestamp: new Date(today - 2 * DAY + 10.5 * 3_600_000).toISOString(),
    },
  ]
  // the secret key's calls keep their own times, as a server's history does
  const res = await post(
    `${collector.url}/v1/batch`,
    { batch },
    { authorization: basic(keys.secretKey), 'user-agent': CHROME_UA },
  )
  expect(res.body.accepted).toBe(batch.length)
  // every call loaded: the orders, and the five visits' sessions
  const both = ['--json', '--from', dayOf(-13), '--to', dayOf(1)]
  await eventually(
    () => cli(['report', 'orders', ...both], env),
    (r) => r.code === 0 && JSON.parse(r.stdout).orders === 3,
  )
  await eventually(
    () => cli(['report', 'traffic', ...both], env),
    (r) => r.code === 0 && JSON.parse(r.stdout).total.sessions === 5,
  )
})
afterAll(async () => collector?.close())

describe('--compare', () => {
  it('sets each channel beside the week before: sessions, conversion rate and revenue', async () => {
    const r = await cli(['report', 'traffic', ...range, '--compare', 'previous'], env)
    expect(r.stderr).toBe('')
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe(`Δ: the change from ${dayOf(-13)} – ${dayOf(-6)}, the range before`)
    expect(lines[1]).toMatch(/^channel\s+sessions\s+Δ sessions\s+visitors/)
    // Email: 2 sessions against 1, one converting of two (50%) against one of one, 50 EUR against 40
    expect(r.stdout).toMatch(
      /\nEmail\s+2\s+\+100\.0%\s+2\s.*\s50\.0%\s+−50\.0 pp\s+1\s+50\.00 EUR\s+\+25\.0%/,
    )
    // Direct: 1 session against 1, 10 EUR against none
    expect(r.stdout).toMatch(/\nDirect\s+1\s+0\.0%\s+1\s.*\s100\.0%\s+\+100\.0 pp\s+1\s+10\.00 EUR\s+new/)
    expect(r.stdout).toMatch(/\n\(all\)\s+3\s+\+50\.0%\s+3\s.*\s+2\s+60\.00 EUR\s+\+50\.0%/)
  })

  it('prints the orders of both weeks and the change, and attribution with its totals beside', async () => {
    const orders = await cli(['report', 'orders', ...range, '--compare', 'previous'], env)
    expect(orders.stderr).toBe('')
    expect(orders.stdout).toMatch(/\nthis range\s+2\s+60\.00 EUR\s+30\.00 EUR\s+2\s/)
    expect(orders.stdout).toContain(`\n${dayOf(-13)} – ${dayOf(-6)}  1 `)
    expect(orders.stdout).toMatch(/\nΔ\s+\+100\.0%\s+\+50\.0%\s+−25\.0%\s+\+100\.0%\s/)

    const a = await cli(['attribution', ...range, '--model', 'last_touch', '--compare', 'previous'], env)
    expect(a.stderr).toBe('')
    expect(a.stdout).toContain(
      '2 conversions (Δ +100.0%), revenue 60.00 EUR (Δ +50.0%), by channel (last_touch)',
    )
    expect(a.stdout).toMatch(/\nEmail\s+1\.00\s+0\.0%\s+50\.00 EUR\s+\+25\.0%/)
  })

  it('gives the overview of the week beside the week before', async () => {
    const r = await cli(['report', 'overview', ...range, '--compare', 'previous'], env)
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/\nrange\s+visitors\s+sessions\s+page views\s+views\/session\s+bounce rate/)
    expect(r.stdout).toMatch(/\nthis range\s+3\s+3\s+3\s+1\.00\s.*\s2\s+60\.00 EUR\s*\n/)
    expect(r.stdout).toMatch(/\nΔ\s+\+50\.0%\s+\+50\.0%\s+\+50\.0%\s+0\.0%\s.*\s\+100\.0%\s+\+50\.0%\s*\n/)
    expect(r.stdout).toMatch(
      /\nTop channels\nchannel\s+sessions\s+Δ sessions\s+conversions\s+revenue\s*\n[─\s]+\nEmail\s+2\s+\+100\.0%/,
    )
    expect(r.stdout).toMatch(
      /\nTop pages\npage\s+views\s+Δ views\s+visitors\s*\n[─\s]+\n\/\s+3\s+\+50\.0%\s+3/,
    )
    expect(r.stdout).toContain('\nTop countries\n')
  })

  it('writes both weeks for a spreadsheet, and answers the same over HTTP a year back', async () => {
    const csv = await cli(['report', 'traffic', ...range, '--compare', 'previous', '--csv'], env)
    const lines = csv.stdout.trimEnd().split('\r\n')
    expect(lines[0]).toMatch(/^key,sessions,previousSessions,visitors,previousVisitors,/)
    expect(lines.find((l) => l.startsWith('Email,'))).toMatch(/^Email,2,1,2,1,/)

    const res = await post(
      `${collector!.url}/api/reports/traffic`,
      { project: 'dev', from: dayOf(-6), to: dayOf(1), timezone: 'UTC', compare: 'year' },
      { authorization: `Bearer ${adminKey}` },
    )
    expect(res.status).toBe(200)
    expect(res.body.total.sessions).toBe(3)
    expect(res.body.previous.total.sessions).toBe(0)
    expect(res.body.previousRange.compare).toBe('year')
    expect(res.body.previousRange.from.slice(4)).toBe(dayOf(-6).slice(4))
  })

  it('lists the links people left by, beside the week before', async () => {
    const links = () => cli(['report', 'links', ...range, '--compare', 'previous'], env)
    const r = await eventually(links, (x) => x.stdout.includes('reviews.example'))
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain('1 click on links to other sites\n')
    expect(r.stdout).toMatch(/\nhttps:\/\/reviews\.example\/acme\s+1\s+new\s+1\s+\/\s+1\s*\n/)
    const bySite = await cli(['report', 'links', ...range, '--by', 'host', '--json'], env)
    expect(JSON.parse(bySite.stdout).rows).toEqual([
      { key: 'reviews.example', clicks: 1, visitors: 1, topPage: '/', pages: 1 },
    ])
  })

  it('gives no rate for the year before, which had no visits: a share of none is no 0%', async () => {
    const year = [...range, '--compare', 'year']
    const before = `${dayOf(-6).replace(/^\d{4}/, (y) => String(+y - 1))} – `

    const overview = await cli(['report', 'overview', ...year], env)
    expect(overview.stderr).toBe('')
    // no views a session, bounce rate or conversion rate before; each rate's change is new, as a count's is
    expect(rowOf(overview.stdout, before)).toMatch(/\s0\s+0\s+0\s+0\s+0\.00\s*$/)
    expect(rowOf(overview.stdout, 'Δ ')).toMatch(/^Δ(\s+new){9}\s*$/)

    const traffic = await cli(['report', 'traffic', ...year], env)
    // Email: one converting session of two, 50%, against no sessions at all
    expect(traffic.stdout).toMatch(/\nEmail\s+2\s+new\s+2\s.*\s50\.0%\s+new\s+1\s+50\.00 EUR\s+new/)

    const orders = await cli(['report', 'orders', ...year], env)
    expect(rowOf(orders.stdout, before)).not.toContain('%')
    expect(rowOf(orders.stdout, 'Δ ')).not.toContain('pp')

    const funnel = await cli(['funnel', ...year, '--step', 'Page Viewed', '--step', 'Order Completed'], env)
    // step 1 is all who entered, in any range; step 2, two of three, is new
    expect(funnel.stdout).toMatch(/\n1\s+Page Viewed\s+3\s+new\s+100\.0%\s+100\.0%/)
    expect(funnel.stdout).toMatch(/\n2\s+Order Completed\s+2\s+new\s+66\.7%\s+new\s+66\.7%/)
  })

  it('gives no rate or figure per session for a week with none, beside a week that had them', async () => {
    const next = ['--from', dayOf(1), '--to', dayOf(8), '--timezone', 'UTC', '--compare', 'previous']
    const overview = await cli(['report', 'overview', ...next], env)
    expect(overview.stderr).toBe('')
    // none of the figures per session or rates this week; the counts fell by all of them
    expect(rowOf(overview.stdout, 'this range')).toMatch(/^this range\s+0\s+0\s+0\s+0\s+0\.00\s*$/)
    expect(rowOf(overview.stdout, 'Δ ')).toMatch(
      /^Δ\s+−100\.0%\s+−100\.0%\s+−100\.0%\s+−100\.0%\s+−100\.0%\s*$/,
    )
    const orders = await cli(['report', 'orders', ...next], env)
    // no average order this week, and no change in it
    expect(rowOf(orders.stdout, 'this range')).toMatch(/^this range\s+0\s+0\.00\s+0\s/)
    expect(rowOf(orders.stdout, 'Δ ')).toMatch(/^Δ\s+−100\.0%\s+−100\.0%\s+−100\.0%\s/)
  })

  it('names what it cannot compare, and a comparison it does not know', async () => {
    const retention = await cli(['report', 'retention', ...range, '--compare', 'previous'], env)
    expect(retention.code).not.toBe(0)
    expect(retention.stderr).toContain('--json gives both')
    const live = await cli(['report', 'live', '--compare', 'previous'], env)
    expect(live.stderr).toContain('no range to compare')
    const people = await cli(
      [
        'funnel',
        ...range,
        '--step',
        'Page Viewed',
        '--step',
        'Order Completed',
        '--people',
        'dropped:2',
        '--compare',
        'previous',
      ],
      env,
    )
    expect(people.stderr).toContain('compare')
    const bad = await cli(['report', 'traffic', ...range, '--compare', 'month'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('compare')
    const http = await post(
      `${collector!.url}/api/reports/orders`,
      { project: 'dev', from: dayOf(-6), to: dayOf(1), compare: 'month' },
      { authorization: `Bearer ${adminKey}` },
    )
    expect(http.status).toBe(400)
    expect(http.body).toMatchObject({ code: 'TP_ERR_INVALID_BODY', path: 'compare' })
  })
})
