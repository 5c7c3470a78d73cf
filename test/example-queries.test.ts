import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { insertAdSpend } from '@touchpoint/clickhouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attribution } from '../packages/analytics/src/attribution/attribution'
import { funnel } from '../packages/analytics/src/funnel'
import { funnelPeople } from '../packages/analytics/src/funnel-people'
import { pages } from '../packages/analytics/src/reports/pages'
import { retention } from '../packages/analytics/src/reports/retention'
import { subscriptions } from '../packages/analytics/src/reports/subscriptions'
import { support } from '../packages/analytics/src/reports/support'
import { survey } from '../packages/analytics/src/reports/survey'
import { traffic } from '../packages/analytics/src/reports/traffic'
import { generateSynthetic } from '../packages/analytics/src/synthetic'
import { type Fixture, openFixture, PROJECT } from '../packages/analytics/src/testing/fixture'
import { ROOT } from './helpers/collector'

/** The SQL an analyst runs by hand gives the same answers as the API, on the same synthetic traffic. */
const DIR = join(ROOT, 'examples/queries')
const params = {
  project: PROJECT,
  from: '2026-06-01 00:00:00.000',
  to: '2026-06-15 00:00:00.000',
  window: 3600,
  step1: 'Page Viewed',
  path1: '/pricing',
  step2: 'Signup Started',
  step3: 'Signed Up',
  reached: 2,
  conversion: 'Order Completed',
  lookback: 30 * 86_400,
  // experiment.sql's (the experiments report's test checks its answers)
  experiment: 'pay-button',
}
const range = { project: PROJECT, from: '2026-06-01', to: '2026-06-15' }
const cents = (x: number) => Math.round(x * 100) / 100
/** The funnel funnel.sql and funnel-dropped.sql count, with their parameters above, as the API takes it. */
const sqlFunnel = {
  ...range,
  window: 3600,
  steps: [
    { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] },
    { event: 'Signup Started' },
    { event: 'Signed Up' },
  ],
}

let fx: Fixture
const run = async (file: string) => {
  const rs = await fx.ch.readonly.query({
    query: readFileSync(join(DIR, file), 'utf8').trim().replace(/;\s*$/, ''),
    query_params: params,
    format: 'JSONEachRow',
  })
  return (await rs.json()) as Array<Record<string, unknown>>
}

beforeAll(async () => {
  fx = await openFixture()
  await generateSynthetic(fx.ch, {
    project: PROJECT,
    events: 40_000,
    from: new Date('2026-06-01T00:00:00Z'),
    days: 14,
  })
  // A shop's checkout carries its cart's value, which the collector stores as that event's revenue too (the example
  // shop sends one before each order, as GA4-style tags send begin_checkout's value): a revenue figure must add up
  // the orders, not every event that carries a value.
  const shopper = { anon: 'shopper', session: 'shopper-1', channel: 'Email', revenue: 144, currency: 'EUR' }
  await fx.events([
    { ...shopper, event: 'Checkout Started', at: '2026-06-03T10:00:00Z' },
    { ...shopper, event: 'Order Completed', at: '2026-06-03T10:01:00Z' },
  ])
  // survey answers: a CSAT that one person changes, a choice, and a text
  const answer = (user: string, at: string, question: string, type: string, value: unknown) => ({
    event: 'Survey Answered',
    user,
    at,
    properties: { survey: 'support', question, type, answer: value },
  })
  await fx.events([
    answer('s1', '2026-06-04T09:00:00Z', 'Satisfied?', 'csat', 2),
    answer('s1', '2026-06-05T09:00:00Z', 'Satisfied?', 'csat', 5),
    answer('s2', '2026-06-04T09:00:00Z', 'Satisfied?', 'csat', 4),
    answer('s3', '2026-06-04T09:00:00Z', 'Satisfied?', 'csat', 1),
    answer('s1', '2026-06-04T09:00:00Z', 'Reached us by', 'choice', ['email', 'chat']),
    answer('s2', '2026-06-04T09:00:00Z', 'Anything else?', 'text', 'All good'),
  ])
  // support tickets: resolved in the range, timed by the helpdesk, opened before it, still open, reopened
  const ticket = (event: string, user: string, at: string, props: Record<string, unknown>) => ({
    event: `Support Ticket ${event}`,
    user,
    at,
    properties: props,
  })
  await fx.events([
    ticket('Opened', 'x1', '2026-06-02T09:00:00Z', { ticketId: 'e1', channel: 'email' }),
    ticket('Resolved', 'x1', '2026-06-02T11:00:00Z', { ticketId: 'e1' }),
    ticket('Opened', 'x2', '2026-06-03T09:00:00Z', { ticketId: 'e2', channel: 'chat' }),
    ticket('Resolved', 'x2', '2026-06-04T09:00:00Z', { ticketId: 'e2', durationSeconds: 900 }),
    ticket('Opened', 'x3', '2026-05-20T09:00:00Z', { ticketId: 'e3', channel: 'email' }),
    ticket('Resolved', 'x3', '2026-06-05T09:00:00Z', { ticketId: 'e3' }),
    ticket('Opened', 'x4', '2026-06-06T09:00:00Z', { ticketId: 'e4', channel: 'email' }),
    ticket('Opened', 'x5', '2026-06-07T09:00:00Z', { ticketId: 'e5', channel: 'chat' }),
    ticket('Resolved', 'x5', '2026-06-07T10:00:00Z', { ticketId: 'e5' }),
    ticket('Opened', 'x5', '2026-06-08T09:00:00Z', { ticketId: 'e5', channel: 'chat' }),
  ])
  // subscriptions: active throughout, churned, new, new and cancelled, back after a cancellation, upgraded (pro at
  // 20, then 30 a month) and downgraded (basic at 15, then 9)
  const sub = (event: string, at: string, props: Record<string, unknown>, revenue?: number) => ({
    event: `Subscription ${event}`,
    user: `y-${props.subscriptionId}`,
    at,
    properties: props,
    ...(revenue !== undefined && { revenue, currency: 'EUR' }),
  })
  await fx.events([
    sub('Started', '2026-05-01T09:00:00Z', { subscriptionId: 'b1', plan: 'basic', interval: 'month' }, 10),
    sub('Started', '2026-05-10T09:00:00Z', { subscriptionId: 'b2', plan: 'pro', interval: 'year' }, 120),
    sub('Cancelled', '2026-06-03T09:00:00Z', { subscriptionId: 'b2', reason: 'price' }),
    sub('Started', '2026-06-02T09:00:00Z', { subscriptionId: 'b3', plan: 'basic' }, 10),
    sub('Started', '2026-06-04T09:00:00Z', { subscriptionId: 'b4', plan: 'pro', interval: 'week' }, 7),
    sub('Cancelled', '2026-06-10T09:00:00Z', { subscriptionId: 'b4' }),
    sub('Started', '2026-04-01T09:00:00Z', { subscriptionId: 'b5', plan: 'basic', interval: 'month' }, 10),
    sub('Cancelled', '2026-05-01T09:00:00Z', { subscriptionId: 'b5' }),
    sub('Started', '2026-06-05T09:00:00Z', { subscriptionId: 'b5', plan: 'basic', interval: 'month' }, 12),
    sub('Started', '2026-05-20T09:00:00Z', { subscriptionId: 'b6', plan: 'pro', interval: 'month' }, 20),
    sub('Started', '2026-06-06T09:00:00Z', { subscriptionId: 'b6', plan: 'pro', interval: 'month' }, 30),
    sub('Started', '2026-05-20T09:00:00Z', { subscriptionId: 'b7', plan: 'basic', interval: 'month' }, 15),
    sub('Started', '2026-06-07T09:00:00Z', { subscriptionId: 'b7', plan: 'basic', interval: 'month' }, 9),
  ])
  // what the synthetic campaigns' ads cost: a day re-sent with its corrected cost, a day after the range, and a
  // campaign that brought no visit
  const ad = (day: string, campaign: string, cost: number) => ({
    day,
    source: 'google',
    medium: 'cpc',
    campaign,
    channel: 'Paid Search',
    cost,
    currency: 'EUR',
    clicks: 5,
    impressions: 100,
  })
  await insertAdSpend(fx.ch, PROJECT, [
    ad('2026-06-02', 'campaign-1', 40),
    ad('2026-06-03', 'campaign-1', 99),
    ad('2026-06-04', 'campaign-2', 25.5),
    ad('2026-06-15', 'campaign-2', 1000),
    ad('2026-06-05', 'campaign-none', 12),
  ])
  await insertAdSpend(fx.ch, PROJECT, [ad('2026-06-03', 'campaign-1', 10)])
  // tp.js's Page Left events, with the page that was left (no session id: they change no session's touch)
  const leftPage = (path: string, at: string, engagedMs: unknown, scrollDepth: unknown) => ({
    event: 'Page Left',
    anon: 'reader',
    at,
    path,
    properties: { engagedMs, scrollDepth },
  })
  await fx.events([
    leftPage('/pricing', '2026-06-02T09:00:00Z', 12_000, 40),
    leftPage('/pricing', '2026-06-02T10:00:00Z', 47_000, 90),
    leftPage('/pricing', '2026-06-02T11:00:00Z', -1, 'far'),
    leftPage('/', '2026-06-02T12:00:00Z', 3_000, 100),
  ])
})
afterAll(async () => fx?.close())

describe('examples/queries', () => {
  it('every example runs read-only with its parameters', async () => {
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.sql'))) {
      await expect(run(file), file).resolves.toBeInstanceOf(Array)
    }
  })

  it('funnel.sql counts what /api/funnel counts', async () => {
    const [row] = await run('funnel.sql')
    const api = await funnel(fx.reader, sqlFunnel)
    expect([row?.step1, row?.step2, row?.step3].map(Number)).toEqual(api.steps.map((s) => s.people))
    expect(api.steps[2]?.people).toBeGreaterThan(0)
  })

  it('funnel-dropped.sql lists who /api/funnel/people lists as dropped out', async () => {
    const rows = await run('funnel-dropped.sql')
    const api = await funnelPeople(fx.reader, {
      ...sqlFunnel,
      outcome: 'dropped',
      step: 3,
      limit: 10_000,
    })
    expect(api.total).toBeGreaterThan(0)
    expect(api.total).toBeLessThan(10_000)
    expect(rows.map((r) => String(r.person)).sort()).toEqual(api.people.map((p) => p.person).sort())
  })

  it("events-by-channel.sql's revenue is the orders' revenue, as orders.sql counts it", async () => {
    const byChannel = await run('events-by-channel.sql')
    const [orders] = await run('orders.sql')
    const revenue = byChannel.reduce((sum, row) => sum + Number(row.revenue), 0)
    expect(Number(orders?.revenue)).toBeGreaterThan(0)
    expect(revenue).toBeCloseTo(Number(orders?.revenue), 2)
    expect(orders?.currencies).toEqual(['EUR'])
  })

  it('survey-answers.sql gives each question what /api/reports/survey gives it', async () => {
    const rows = await run('survey-answers.sql')
    const api = await survey(fx.reader, range)
    expect(
      rows.map((r) => ({
        ...r,
        responses: Number(r.responses),
        average: r.average === null ? null : Number(r.average),
        satisfied: r.satisfied === null ? null : Number(r.satisfied),
      })),
    ).toEqual(
      api.questions.map((q) => ({
        survey: q.survey,
        question: q.question,
        type: q.type,
        responses: q.responses,
        average: q.average === null ? null : Math.round(q.average * 100) / 100,
        satisfied: q.satisfied === null ? null : Math.round(q.satisfied * 10_000) / 10_000,
      })),
    )
    expect(api.questions.find((q) => q.question === 'Satisfied?')).toMatchObject({
      responses: 3,
      satisfied: 2 / 3,
    })
  })

  it('traffic-by-channel.sql, from the events, counts what /api/reports/traffic counts from the session parts', async () => {
    const rows = await run('traffic-by-channel.sql')
    const api = await traffic(fx.reader, { ...range, conversion: { event: 'Order Completed' } })
    expect(api.total.sessions).toBeGreaterThan(0)
    expect(api.total.conversions).toBeGreaterThan(0)
    expect(
      rows.map((r) => ({
        key: r.channel,
        sessions: Number(r.sessions),
        visitors: Number(r.visitors),
        convertingSessions: Number(r.converting_sessions),
        conversions: Number(r.conversions),
        revenue: Number(r.revenue),
      })),
    ).toEqual(
      api.rows.map((r) => ({
        key: r.key,
        sessions: r.sessions,
        visitors: r.visitors,
        convertingSessions: r.convertingSessions,
        conversions: r.conversions,
        revenue: Math.round(r.revenue * 100) / 100,
      })),
    )
  })

  it('ad-spend-return.sql sets the cost attribution reads beside what the traffic report counts by campaign', async () => {
    const rows = await run('ad-spend-return.sql')
    const conversion = { event: 'Order Completed' }
    const credited = await attribution(fx.reader, {
      ...range,
      conversion,
      by: 'campaign',
      model: 'last_touch',
    })
    const sessions = await traffic(fx.reader, { ...range, conversion, by: 'campaign' })
    expect(credited.spend?.cost).toBe(50 + 25.5 + 12)
    const cost = new Map(credited.models[0]!.rows.map((r) => [r.key, r.cost]))
    const brought = new Map(sessions.rows.map((r) => [r.key, r]))
    expect(brought.get('campaign-1')?.revenue).toBeGreaterThan(0)
    expect(rows.map((r) => [r.campaign, r.cost, r.sessions, r.conversions, r.revenue, r.roas])).toEqual(
      ['campaign-1', 'campaign-2', 'campaign-none'].map((key) => {
        const b = brought.get(key)
        const revenue = cents(b?.revenue ?? 0)
        return [
          key,
          cost.get(key),
          b?.sessions ?? 0,
          b?.conversions ?? 0,
          revenue,
          cents(revenue / cost.get(key)!),
        ]
      }),
    )
  })

  it('top-pages.sql gives each path what /api/reports/pages gives it', async () => {
    const rows = await run('top-pages.sql')
    const api = await pages(fx.reader, { ...range, limit: 1000 })
    expect(api.rows.length).toBeGreaterThan(3)
    expect(api.rows.find((r) => r.path === '/pricing')).toMatchObject({
      medianEngagedSeconds: 29.5,
      meanScrollDepth: 65,
    })
    const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)))
    expect(
      rows.map((r) => ({
        ...r,
        views: Number(r.views),
        visitors: Number(r.visitors),
        entries: Number(r.entries),
        exits: Number(r.exits),
      })),
    ).toEqual(
      api.rows.map((r) => ({
        path: r.path,
        views: r.views,
        visitors: r.visitors,
        entries: r.entries,
        bounce_rate: round(r.bounceRate, 4),
        exits: r.exits,
        exit_rate: round(r.exitRate, 4),
        median_visible_s: round(r.medianEngagedSeconds, 1),
        mean_scroll_depth: round(r.meanScrollDepth, 1),
      })),
    )
  })

  it('retention-weekly.sql counts what /api/reports/retention counts by week', async () => {
    const rows = await run('retention-weekly.sql')
    const api = await retention(fx.reader, range)
    expect(api.cohorts.length).toBe(2) // the range's two weeks, from Monday 1 June
    expect(api.cohorts[0]?.retained[1]).toBeGreaterThan(0)
    expect(rows.map((r) => [r.cohort, Number(r.week_number), Number(r.people)])).toEqual(
      api.cohorts.flatMap((c) => c.retained.flatMap((n, k) => (n > 0 ? [[c.start, k, n]] : []))),
    )
  })

  it('attribution-linear.sql credits what the linear model credits', async () => {
    const rows = await run('attribution-linear.sql')
    const api = await attribution(fx.reader, {
      ...range,
      conversion: { event: 'Order Completed' },
      model: 'linear',
    })
    const sql = Object.fromEntries(rows.map((r) => [r.channel, Number(r.conversions)]))
    const expected = Object.fromEntries((api.models[0]?.rows ?? []).map((r) => [r.key, r.conversions]))
    expect(Object.keys(sql).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, v] of Object.entries(expected)) expect(sql[k], k).toBeCloseTo(v, 6)
  })

  it('support-tickets.sql counts by channel what /api/reports/support counts', async () => {
    const rows = await run('support-tickets.sql')
    const api = await support(fx.reader, range)
    expect(api.opened).toBeGreaterThan(0)
    expect(
      rows.map((r) => [
        r.channel,
        Number(r.opened),
        Number(r.resolved),
        Number(r.open_at_end),
        r.median_seconds,
      ]),
    ).toEqual(api.rows.map((r) => [r.value, r.opened, r.resolved, r.openAtEnd, r.medianResolutionSeconds]))
  })

  it('subscriptions.sql counts by plan what /api/reports/subscriptions counts', async () => {
    const rows = await run('subscriptions.sql')
    const api = await subscriptions(fx.reader, range)
    expect(api.churned).toBeGreaterThan(0)
    expect(
      rows.map((r) => [
        r.plan,
        Number(r.active_at_start),
        Number(r.started),
        Number(r.cancelled),
        Number(r.churned),
        Number(r.active_at_end),
        Number(r.mrr_at_end),
        [r.mrr_new, r.mrr_reactivated, r.mrr_expansion, r.mrr_contraction, r.mrr_churned].map(Number),
      ]),
    ).toEqual(
      api.plans.map((p) => [
        p.plan,
        p.activeAtStart,
        p.started,
        p.cancelled,
        p.churned,
        p.activeAtEnd,
        cents(p.mrrAtEnd),
        [p.mrrNew, p.mrrReactivated, p.mrrExpansion, p.mrrContraction, p.mrrChurned].map(cents),
      ]),
    )
    // every movement is there: b3 new, b5 back, b6 up, b7 down, b2 churned
    expect(
      [api.mrrNew, api.mrrReactivated, api.mrrExpansion, api.mrrContraction, api.mrrChurned].map(cents),
    ).toEqual([10, 12, 10, 6, 10])
  })
})
