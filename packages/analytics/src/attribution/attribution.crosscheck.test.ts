import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS, type AttributionModel } from '../requests'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { attribution } from './attribution'
import { markovCredits, type NullPath } from './markov'
import { type ConversionPath, type Credit, creditRule, type Touch } from './models'

/**
 * The one-pass SQL credits against the models' definitions in TypeScript (models.ts, markov.ts) on random
 * people: their conversion paths are rebuilt here from the events, then credited path by path. Touches and
 * orders start on whole hours, so a touch at the conversion's hour or exactly on the lookback's edge is common.
 */
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 3, 6)
const FROM = T0 + 10 * DAY
const TO = T0 + 20 * DAY
const LOOKBACK = 3 * DAY
const HALF_LIFE = DAY
const CHANNELS = ['Direct', 'Organic Search', 'Paid Search', 'Email', 'Referral']
const CAMPAIGNS = ['', '', 'spring', 'summer']

interface Session {
  start: number
  channel: string
  campaign: string
}
interface Click {
  at: number
  campaign: string
  scanner: boolean
}
interface Person {
  sessions: Session[]
  clicks: Click[]
  orders: Array<{ at: number; revenue: number }>
}

function random(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const people = new Map<string, Person>()
let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  const rnd = random(7)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T
  // whole hours from 5 days before the first conversion's lookback to the end of the range
  const hour = () => T0 + 2 * DAY + Math.floor(rnd() * ((TO - T0 - 2 * DAY) / HOUR)) * HOUR
  const events: FixtureEvent[] = []
  for (let i = 0; i < 800; i++) {
    const anon = `p${i}`
    const person: Person = { sessions: [], clicks: [], orders: [] }
    for (let s = Math.floor(rnd() * 6); s > 0; s--) {
      const session = { start: hour(), channel: pick(CHANNELS), campaign: pick(CAMPAIGNS) }
      person.sessions.push(session)
      for (let v = 1 + Math.floor(rnd() * 3), k = 0; k < v; k++)
        events.push({
          event: 'Page Viewed',
          anon,
          session: `${anon}-s${s}`,
          at: session.start + k * MIN,
          channel: session.channel,
          utm_campaign: session.campaign,
        })
    }
    for (let c = Math.floor(rnd() * 3); c > 0; c--) {
      const click = { at: hour(), campaign: pick(CAMPAIGNS), scanner: rnd() < 0.3 }
      person.clicks.push(click)
      events.push({
        event: 'Email Clicked',
        anon,
        at: click.at,
        channel: 'Email',
        utm_campaign: click.campaign,
        properties: { scanner: click.scanner },
      })
    }
    for (let o = Math.floor(rnd() * 4) - 1; o > 0; o--) {
      const order = { at: hour(), revenue: 1 + Math.floor(rnd() * 200) }
      person.orders.push(order)
      events.push({ event: 'Order Completed', anon, at: order.at, revenue: order.revenue })
    }
    people.set(anon, person)
  }
  await fx.events(events)
})
afterAll(async () => fx?.close())

type By = 'channel' | 'campaign'

/**
 * A person's touchpoints from the definition: sessions by their first event, human email clicks; in time order, of
 * those at the same time a Direct one last, as the traffic report takes a session's first part.
 */
function touchesOf(p: Person, by: By): Touch[] {
  const key = (channel: string, campaign: string) => (by === 'channel' ? channel : campaign || '(none)')
  return [
    ...p.sessions.map((s) => ({
      at: s.start,
      key: key(s.channel, s.campaign),
      direct: s.channel === 'Direct',
    })),
    ...p.clicks
      .filter((c) => !c.scanner)
      .map((c) => ({ at: c.at, key: key('Email', c.campaign), direct: false })),
  ]
    .filter((t) => t.at >= FROM - LOOKBACK)
    .sort((a, b) => a.at - b.at || +a.direct - +b.direct || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

function reference(model: AttributionModel, by: By): Map<string, Credit> {
  const conversions: ConversionPath[] = []
  const nulls: NullPath[] = []
  for (const p of people.values()) {
    const touches = touchesOf(p, by)
    const inRange = p.orders.filter((o) => o.at >= FROM && o.at < TO)
    for (const o of inRange)
      conversions.push({
        at: o.at,
        revenue: o.revenue,
        touches: touches.filter((t) => t.at >= o.at - LOOKBACK && t.at <= o.at),
      })
    if (!inRange.length)
      nulls.push({ keys: touches.filter((t) => t.at >= FROM).map((t) => t.key), people: 1 })
  }
  const directKey = by === 'channel' ? 'Direct' : '(none)'
  return model === 'markov'
    ? markovCredits(conversions, nulls, directKey)
    : creditRule(model, conversions, { halfLifeMs: HALF_LIFE, directKey })
}

describe.each(['channel', 'campaign'] as const)(
  'attribution by %s matches the models run path by path',
  (by) => {
    it.each([...ATTRIBUTION_MODELS])('%s', async (model) => {
      const r = await attribution(fx.reader, {
        project: PROJECT,
        from: new Date(FROM).toISOString(),
        to: new Date(TO).toISOString(),
        conversion: { event: 'Order Completed' },
        lookback: LOOKBACK / 1000,
        halfLife: HALF_LIFE / 1000,
        model,
        by,
      })
      const want = reference(model, by)
      const got = new Map(r.models[0]?.rows.map((row) => [row.key, row]))
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort())
      for (const [key, c] of want) {
        expect(got.get(key)?.conversions, key).toBeCloseTo(c.conversions, 9)
        expect(got.get(key)?.revenue, key).toBeCloseTo(c.revenue, 6)
      }
      expect(r.conversions).toBeGreaterThan(300)
    })
  },
)
