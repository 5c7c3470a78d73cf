import { compilePlan, type IncomingEvent, trackingPlan } from '@touchpoint/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { planCheck } from './plan-check'
import { planDraft } from './plan-draft'

const range = { project: PROJECT, from: '2026-04-01', to: '2026-04-08' }
const at = (day: number) => `2026-04-0${day}T12:00:00.000Z`
const RETRY = '00000000-0000-8000-8000-000000000001'

const sent: FixtureEvent[] = [
  { event: 'Plan Selected', anon: 'a1', at: at(1), properties: { plan: 'basic', seats: 2 }, id: RETRY },
  { event: 'Plan Selected', anon: 'a1', at: at(1), properties: { plan: 'basic', seats: 2 }, id: RETRY },
  { event: 'Plan Selected', anon: 'a2', at: at(2), properties: { plan: 'summit', seats: 2.5, coupon: null } },
  {
    event: 'Plan Selected',
    anon: 'a3',
    at: at(3),
    properties: { plan: 'summit', tags: ['x'], extra: { a: 1 } },
  },
  {
    event: 'Video Played',
    anon: 'a3',
    at: at(3),
    // a list of objects: a title in every one, a start in some
    properties: { seconds: 30, chapters: [{ title: 'Intro', at: 0 }, { title: 'Summit' }] },
  },
  { event: 'Video Played', anon: 'a3', at: at(4), properties: { seconds: '30' } },
  { event: 'Newsletter Joined', anon: 'a4', at: at(4) },
  { event: 'Identify', anon: 'a1', at: at(1), traits: { email: 'a@example.com', vip: true } },
  { event: 'Identify', anon: 'a2', at: at(2), traits: { email: 'b@example.com' } },
  // a bot's, and one outside the range
  { event: 'Bot Thing', anon: 'b', at: at(2), properties: { x: 1 }, is_bot: 1 },
  { event: 'Old Thing', anon: 'o', at: '2026-03-01T00:00:00.000Z' },
]

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events(sent)
})
afterAll(() => fx?.close())

describe('tracking plan draft', () => {
  it('drafts each event with the properties its events carried, their types, and which all of them carried', async () => {
    const r = await planDraft(fx.reader, range)
    expect(r.drawnFrom).toEqual({ events: 6, identifies: 2, names: 3 })
    expect(r.trackingPlan).toEqual({
      events: {
        'Plan Selected': {
          description: 'seen 3 times in the range the draft was made from',
          properties: {
            plan: { type: 'string', required: true },
            seats: { type: 'number' },
            coupon: { type: 'null' },
            tags: { type: 'array', items: { type: 'string' } },
            extra: { type: 'object' },
          },
        },
        'Video Played': {
          description: 'seen 2 times in the range the draft was made from',
          properties: {
            seconds: { type: ['integer', 'string'], required: true },
            chapters: {
              type: 'array',
              items: {
                type: 'object',
                properties: { title: { type: 'string', required: true }, at: { type: 'integer' } },
              },
            },
          },
        },
        'Newsletter Joined': {
          description: 'seen once in the range the draft was made from',
          properties: {},
        },
      },
      traits: { email: { type: 'string' }, vip: { type: 'boolean' } },
      allowUnplannedEvents: true,
      violations: 'report',
    })
    expect(Object.keys(r.trackingPlan.events ?? {})).toEqual([
      'Plan Selected',
      'Video Played',
      'Newsletter Joined',
    ])
    expect((await planDraft(fx.reader, { ...range, limit: 1 })).drawnFrom).toEqual({
      events: 3,
      identifies: 2,
      names: 1,
    })
  })

  it('is a plan the projects file takes, and none of the events it was drawn from breaks it', async () => {
    const { trackingPlan: draft } = await planDraft(fx.reader, range)
    const checker = compilePlan(
      trackingPlan.parse({ ...draft, allowUnplannedEvents: false, violations: 'refuse' }),
    )
    for (const e of sent.filter((x) => !x.is_bot && x.event !== 'Old Thing')) {
      const call = (
        e.event === 'Identify'
          ? { type: 'identify', anonymousId: e.anon, traits: e.traits }
          : { type: 'track', event: e.event, anonymousId: e.anon, properties: e.properties }
      ) as IncomingEvent
      expect(checker.issues(call), e.event).toEqual([])
    }
    expect(
      checker.issues({
        type: 'track',
        event: 'Plan Selected',
        anonymousId: 'a',
        properties: {},
      } as IncomingEvent),
    ).toEqual([{ path: 'properties.plan', message: 'is required by the tracking plan (string)' }])
  })
})

describe('tracking plan check', () => {
  it('finds none of the stored events breaking the draft drawn from them', async () => {
    const { trackingPlan: draft } = await planDraft(fx.reader, range)
    const r = await planCheck(fx.reader, { ...range, plan: { ...draft, allowUnplannedEvents: false } })
    // six track events (the retry once, the bot's and the old one left out) and two identify calls
    expect(r).toEqual({ checked: 8, breaking: 0, rows: [] })
  })

  it('says what of the stored events a stricter plan would refuse, by event and field', async () => {
    const r = await planCheck(fx.reader, {
      ...range,
      plan: {
        events: {
          'Plan Selected': {
            properties: { plan: { type: 'string', enum: ['basic'] }, seats: { type: 'integer' } },
          },
          'Video Played': { properties: { seconds: { type: 'integer', required: true } } },
        },
        traits: { vip: { type: 'boolean', required: true } },
        allowUnplannedEvents: false,
      },
    })
    expect(r.checked).toBe(8)
    expect(r.breaking).toBe(5)
    expect(r.rows).toEqual([
      {
        event: 'Plan Selected',
        field: 'properties.plan',
        events: 2,
        message: 'must be one of "basic" by the tracking plan',
      },
      {
        event: '(identify)',
        field: 'traits.vip',
        events: 1,
        message: 'is required by the tracking plan (boolean)',
      },
      {
        event: 'Newsletter Joined',
        field: 'event',
        events: 1,
        message: '"Newsletter Joined" is not in the tracking plan',
      },
      {
        event: 'Plan Selected',
        field: 'properties.seats',
        events: 1,
        message: 'must be integer by the tracking plan, not number',
      },
      {
        event: 'Video Played',
        field: 'properties.seconds',
        events: 1,
        message: 'must be integer by the tracking plan, not string',
      },
    ])
    expect((await planCheck(fx.reader, { ...range, plan: {}, limit: 3 })).checked).toBe(3)
  })

  it("checks inside objects and lists, a list's items counted as one field", async () => {
    const r = await planCheck(fx.reader, {
      ...range,
      plan: {
        events: {
          'Plan Selected': {
            properties: {
              tags: { type: 'array', items: { type: 'integer' } },
              extra: { type: 'object', properties: { a: { type: 'string' } } },
            },
          },
        },
      },
    })
    expect(r.rows).toEqual([
      {
        event: 'Plan Selected',
        field: 'properties.extra.a',
        events: 1,
        message: 'must be string by the tracking plan, not integer',
      },
      {
        event: 'Plan Selected',
        field: 'properties.tags[]',
        events: 1,
        message: 'must be integer by the tracking plan, not string',
      },
    ])
  })
})
