import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, eventually, post } from '../../../test/helpers/http'
import { startTestCollector } from '../../../test/helpers/in-process'
import type { RunningCollector } from './server'

/** The analytics HTTP API on a real collector: events in through /v1/batch, answers out through /api/*. */
const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const ADMIN = 'admin-key-0123456789abcdef'
const WRITE = 'wk_shop_123456'

let collector: RunningCollector
const api = (path: string, body: unknown, key = ADMIN) =>
  post(`${collector.url}${path}`, body, { authorization: `Bearer ${key}` })

const now = Date.now()
const range = {
  project: 'shop',
  from: new Date(now - 3_600_000).toISOString(),
  to: new Date(now + 3_600_000).toISOString(),
}
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString()

beforeAll(async () => {
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [
      {
        id: 'shop',
        writeKey: WRITE,
        timezone: 'America/New_York',
        // reports add revenue up in dollars: the order below, 42 euros, is 63 of them
        currency: 'USD',
        exchangeRates: { EUR: 1.5 },
        checkoutEvents: ['Page Viewed', 'Order Completed'],
      },
    ],
  }))
  const email = { campaign: { source: 'newsletter', medium: 'email', name: 'spring' } }
  const res = await post(
    `${collector.url}/v1/batch`,
    {
      batch: [
        {
          type: 'page',
          anonymousId: 'v1',
          properties: { path: '/pricing' },
          context: { sessionId: 's1', ...email },
          timestamp: at(0),
        },
        {
          type: 'track',
          event: 'Signed Up',
          anonymousId: 'v1',
          context: { sessionId: 's1' },
          timestamp: at(1000),
        },
        {
          type: 'identify',
          anonymousId: 'v1',
          userId: 'user-1',
          traits: { plan: 'pro' },
          timestamp: at(2000),
        },
        {
          type: 'track',
          event: 'Order Completed',
          userId: 'user-1',
          properties: { revenue: 42, currency: 'EUR' },
          timestamp: at(3000),
        },
        {
          type: 'page',
          anonymousId: 'v2',
          properties: { path: '/pricing' },
          context: { sessionId: 's2' },
          timestamp: at(0),
        },
      ],
    },
    // a browser's user agent: analytics leaves bots out, and Node's fetch counts as one
    { authorization: basic(WRITE), 'user-agent': CHROME },
  )
  expect(res.status).toBe(200)
  await eventually(
    () => api('/api/funnel', { ...range, steps: [{ event: 'Order Completed' }] }),
    (r) => r.status === 200 && r.body.steps[0].people === 1,
  )
})
afterAll(async () => collector?.close())

const steps = [
  { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq', value: '/pricing' }] },
  { event: 'Signed Up' },
  { event: 'Order Completed' },
]

describe('analytics over HTTP', () => {
  it('answers a funnel, following the visitor through identify', async () => {
    const r = await api('/api/funnel', { ...range, steps, window: '1h' })
    expect(r.status).toBe(200)
    expect(r.body.steps.map((s: { people: number }) => s.people)).toEqual([2, 1, 1])
    // the people behind those numbers: v1 under the user id it identified as, and v2, who left after /pricing
    const who = async (outcome: string, step: number) => {
      const p = await api('/api/funnel/people', { ...range, steps, window: '1h', outcome, step })
      expect(p.status).toBe(200)
      return [p.body.total, p.body.people.map((x: { person: string }) => x.person)]
    }
    expect(await who('reached', 3)).toEqual([1, ['user-1']])
    expect(await who('dropped', 2)).toEqual([1, ['v2']])
    const past = await api('/api/funnel/people', { ...range, steps, outcome: 'reached', step: 4 })
    expect(past).toMatchObject({ status: 400, body: { code: 'TP_ERR_INVALID_BODY', path: 'step' } })
  })

  it('credits the order to the email session under every model', async () => {
    const r = await api('/api/attribution', {
      ...range,
      conversion: { event: 'Order Completed' },
      model: 'all',
    })
    expect(r.status).toBe(200)
    expect(r.body.conversions).toBe(1)
    for (const m of r.body.models)
      expect(m.rows, m.model).toEqual([{ key: 'Email', conversions: 1, revenue: 63, share: 1 }])
  })

  it('returns a profile, and 404 for nobody', async () => {
    const r = await api('/api/profile', { project: 'shop', person: 'user-1' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      anonymousIds: ['v1'],
      traits: { plan: 'pro' },
      orders: { count: 1, revenue: 63, currencies: ['USD'] },
    })
    const none = await api('/api/profile', { project: 'shop', person: 'nobody' })
    expect(none.status).toBe(404)
    expect(none.body.code).toBe('TP_ERR_PERSON_NOT_FOUND')
  })

  it("uses the project's time zone unless the request names one", async () => {
    const r = await api('/api/reports/time-of-day', range)
    expect(r.status).toBe(200)
    expect(r.body.timezone).toBe('America/New_York')
    expect(r.body.conversions).toBe(1)
    const utc = await api('/api/reports/time-of-day', { ...range, timezone: 'UTC' })
    expect(utc.body.timezone).toBe('UTC')
  })

  it("adds revenue up in the project's currency unless the request gives its own exchange", async () => {
    const conversion = { event: 'Order Completed' }
    const project = (await api('/api/attribution', { ...range, conversion, model: 'first_touch' })).body
    expect(project).toMatchObject({ revenue: 63, currencies: ['USD'] })
    const euros = (
      await api('/api/attribution', { ...range, conversion, model: 'first_touch', exchange: { to: 'EUR' } })
    ).body
    expect(euros).toMatchObject({ revenue: 42, currencies: ['EUR'] })
    // rates by date: the order's day has a euro at 2 dollars
    const today = new Date(now).toISOString().slice(0, 10)
    const dated = await api('/api/attribution', {
      ...range,
      conversion,
      model: 'first_touch',
      exchange: { to: 'USD', rates: { EUR: { '2000-01-01': 1, [today]: 2 } } },
    })
    expect(dated.body).toMatchObject({ revenue: 84, currencies: ['USD'] })
    const bad = await api('/api/reports/orders', { ...range, exchange: { to: 'EUR', rates: { USD: -1 } } })
    expect(bad).toMatchObject({ status: 400, body: { path: 'exchange.rates.USD' } })
  })

  it('serves the orders, nps, email, survey, traffic, pages, live and retention reports', async () => {
    // the project's checkout steps: both visitors viewed a page, one ordered
    expect((await api('/api/reports/orders', range)).body).toMatchObject({
      orders: 1,
      revenue: 63,
      currencies: ['USD'],
      byCurrency: [{ currency: 'EUR', orders: 1, revenue: 42, converted: 63 }],
      checkout: { started: 2, completed: 1, abandonmentRate: 0.5 },
    })
    expect((await api('/api/reports/nps', range)).body).toMatchObject({ responses: 0 })
    expect((await api('/api/reports/email', range)).body).toEqual({ campaigns: [] })
    expect((await api('/api/reports/survey', range)).body).toEqual({ questions: [] })
    // v1's session came from the newsletter, v2's from nowhere; the order carried no session id, so no session
    // has a conversion
    const traffic = (await api('/api/reports/traffic', range)).body
    expect(traffic.rows.map((r: { key: string; sessions: number }) => [r.key, r.sessions])).toEqual([
      ['Direct', 1],
      ['Email', 1],
    ])
    expect(traffic.total).toMatchObject({ sessions: 2, visitors: 2, conversions: 0 })
    // both sessions viewed /pricing alone
    const pages = (await api('/api/reports/pages', range)).body
    expect(pages.rows).toMatchObject([{ path: '/pricing', views: 2, visitors: 2, entries: 2, bounceRate: 1 }])
    expect(pages.total).toMatchObject({ paths: 1, views: 2, entries: 2, exits: 2 })
    const names = (await api('/api/reports/events', range)).body
    expect(names.rows.map((r: { event: string; people: number }) => [r.event, r.people])).toEqual([
      ['Page Viewed', 2],
      ['Identify', 1],
      ['Order Completed', 1],
      ['Signed Up', 1],
    ])
    const props = (await api('/api/reports/properties', { ...range, event: 'Order Completed' })).body
    expect(props).toMatchObject({ event: 'Order Completed', events: 1 })
    expect(props.properties.map((p: { property: string }) => p.property)).toEqual(['currency', 'revenue'])
    // v1 and v2 on /pricing a moment ago (user-1's order came with no session)
    const now = (await api('/api/reports/live', { project: 'shop', minutes: 60, at: at(60_000) })).body
    expect(now).toMatchObject({ visitors: 2, sessions: 2, pageViews: 2, orders: 1 })
    expect(now.pages).toEqual([{ path: '/pricing', sessions: 2 }])
    // v1 (user-1) and v2 were both first seen this week, in the project's time zone; the range is the minute
    // around them, as the two hours of \`range\` span two weeks when they hold a Monday's midnight in New York (the
    // test failed on a run at 04:05 UTC on a Monday)
    const week = { ...range, from: at(-30_000), to: at(30_000) }
    const retention = (await api('/api/reports/retention', week)).body
    expect(retention).toMatchObject({ interval: 'week', timezone: 'America/New_York', average: [1] })
    expect(retention.cohorts).toMatchObject([{ people: 2, retained: [2] }])
  })
})

describe('analytics refusals', () => {
  it('names the field and the reason of a bad request', async () => {
    const noSteps = await api('/api/funnel', { ...range, steps: [] })
    expect(noSteps.status).toBe(400)
    expect(noSteps.body).toMatchObject({ code: 'TP_ERR_INVALID_BODY', path: 'steps' })
    // a window that is no duration says what one looks like, and so does one past a year
    for (const window of ['abc', '400d', -1])
      expect(await api('/api/funnel', { ...range, steps, window })).toMatchObject({
        status: 400,
        body: {
          path: 'window',
          message: 'window: expected a number of seconds or a duration such as 30m, 12h, 7d, up to 366 days',
        },
      })
    // a missing field is said to be required, as the tracking calls' refusals say it
    const noEvent = await api('/api/reports/properties', range)
    expect(noEvent).toMatchObject({
      status: 400,
      body: { code: 'TP_ERR_INVALID_BODY', path: 'event', message: 'event: is required (string)' },
    })
    const badField = await api('/api/funnel', { ...range, steps, breakdown: 'event; DROP TABLE events' })
    expect(badField.status).toBe(400)
    expect(badField.body.path).toBe('breakdown')
    const badFilter = await api('/api/funnel', {
      ...range,
      steps: [{ event: 'x', filters: [{ property: 'nope', value: 1 }] }],
    })
    expect(badFilter.body.path).toBe('steps[0].filters[0].property')
    const backwards = await api('/api/attribution', {
      ...range,
      from: range.to,
      to: range.from,
      conversion: { event: 'x' },
    })
    expect(backwards.body).toMatchObject({ code: 'TP_ERR_INVALID_BODY', path: 'to' })
    // before 1970, where the funnel's millisecond times begin: refused, not an internal error
    const early = await api('/api/funnel', { ...range, from: '0001-01-01', steps })
    expect(early).toMatchObject({
      status: 400,
      body: { path: 'from', message: 'from: must be 1970-01-01 or later' },
    })
    const badModel = await api('/api/attribution', { ...range, conversion: { event: 'x' }, model: 'magic' })
    expect(badModel.body.path).toBe('model')
    const badZone = await api('/api/reports/nps', { ...range, timezone: 'Mars/Olympus' })
    expect(badZone.body.path).toBe('timezone')
    const badKey = await api('/api/reports/traffic', { ...range, by: 'planet' })
    expect(badKey).toMatchObject({ status: 400, body: { path: 'by' } })
    const badLimit = await api('/api/reports/survey', { ...range, textAnswers: 1000 })
    expect(badLimit).toMatchObject({ status: 400, body: { path: 'textAnswers' } })
    const noPages = await api('/api/reports/pages', { ...range, limit: 0 })
    expect(noPages).toMatchObject({ status: 400, body: { path: 'limit' } })
    const badInterval = await api('/api/reports/retention', { ...range, interval: 'year' })
    expect(badInterval).toMatchObject({ status: 400, body: { path: 'interval' } })
    const noExperiment = await api('/api/reports/experiment', range)
    expect(noExperiment).toMatchObject({ status: 400, body: { path: 'experiment' } })
    const compared = await api('/api/reports/experiment', { ...range, experiment: 'x', compare: 'previous' })
    expect(compared).toMatchObject({ status: 400, body: { path: 'compare' } })
    // a plan whose pattern the linear-time engine cannot run, and no plan at all (the project has none)
    const backreference = { events: { E: { properties: { a: { pattern: '(a)\\1' } } } } }
    const badPlan = await api('/api/plan/check', { ...range, plan: backreference })
    expect(badPlan).toMatchObject({ status: 400, body: { path: 'plan.events.E.properties.a.pattern' } })
    expect(await api('/api/plan/check', range)).toMatchObject({ status: 400, body: { path: 'plan' } })
  })

  it('refuses an unknown project and anything but the admin key', async () => {
    const unknown = await api('/api/funnel', { ...range, project: 'other', steps })
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('TP_ERR_UNKNOWN_PROJECT')
    const writeKey = await api('/api/funnel', { ...range, steps }, WRITE)
    expect(writeKey.status).toBe(401)
  })

  it('keeps values out of the SQL: a filter value full of quotes is only a value', async () => {
    const r = await api('/api/funnel', {
      ...range,
      steps: [
        {
          event: "x' OR 1=1 --",
          filters: [{ property: "properties.a'b", value: "'; DROP TABLE events; --" }],
        },
      ],
    })
    expect(r.status).toBe(200)
    expect(r.body.steps[0].people).toBe(0)
  })
})
