import { describe, expect, it } from 'vitest'
import type { IncomingEvent } from './events'
import { compilePlan, jsonTypeOf, type TrackingPlanInput, trackingPlan } from './tracking-plan'

const checker = (input: TrackingPlanInput) => compilePlan(trackingPlan.parse(input))
const track = (event: string, properties?: Record<string, unknown>) =>
  ({ type: 'track', event, userId: 'u', properties }) as IncomingEvent

const plan = checker({
  events: {
    'Plan Selected': {
      properties: {
        plan: { type: 'string', required: true, enum: ['basic', 'summit'] },
        seats: { type: 'integer', minimum: 1, maximum: 500 },
        price: { type: ['number', 'null'] },
        coupon: { type: 'string', pattern: '^[A-Z0-9]{4,12}$' },
      },
      additionalProperties: false,
    },
    'Video Played': {},
  },
  traits: { plan: { enum: ['basic', 'summit'] }, email: { type: 'string', required: true } },
  allowUnplannedEvents: false,
})

describe('tracking plan', () => {
  it('passes an event that keeps to it', () => {
    expect(
      plan.issues(track('Plan Selected', { plan: 'summit', seats: 3, price: 9.5, coupon: 'WINTER26' })),
    ).toEqual([])
    expect(plan.issues(track('Plan Selected', { plan: 'basic', price: null }))).toEqual([])
    expect(plan.issues(track('Video Played', { anything: [1, 2] }))).toEqual([])
  })

  it('names each field that breaks it, and why', () => {
    expect(
      plan.issues(track('Plan Selected', { seats: 0, price: '9', colour: 'red', coupon: 'no' })),
    ).toEqual([
      { path: 'properties.plan', message: 'is required by the tracking plan (string)' },
      { path: 'properties.seats', message: 'must be at least 1 by the tracking plan' },
      { path: 'properties.price', message: 'must be number or null by the tracking plan, not string' },
      { path: 'properties.coupon', message: 'must match /^[A-Z0-9]{4,12}$/ by the tracking plan' },
      { path: 'properties.colour', message: 'is not in the tracking plan of "Plan Selected"' },
    ])
    expect(plan.issues(track('Plan Selected', { plan: 'gold', seats: 2.5 }))).toEqual([
      { path: 'properties.plan', message: 'must be one of "basic", "summit" by the tracking plan' },
      { path: 'properties.seats', message: 'must be integer by the tracking plan, not number' },
    ])
    expect(plan.issues(track('Plan Selected'))).toEqual([
      { path: 'properties.plan', message: 'is required by the tracking plan (string)' },
    ])
  })

  it('calls an event it does not name unplanned, but never one of Touchpoint’s own', () => {
    expect(plan.issues(track('Plan Chosen'))).toEqual([
      { path: 'event', message: '"Plan Chosen" is not in the tracking plan' },
    ])
    for (const own of [
      'Order Completed',
      'Page Left',
      'Outbound Link Clicked',
      'File Downloaded',
      'Email Bounced',
    ])
      expect(plan.issues(track(own)), own).toEqual([])
    expect(checker({}).issues(track('Plan Chosen'))).toEqual([])
  })

  it('checks identify calls’ traits, and leaves the other calls alone', () => {
    const identify = (traits?: Record<string, unknown>) =>
      ({ type: 'identify', userId: 'u', traits }) as IncomingEvent
    expect(plan.issues(identify({ email: 'a@example.com', plan: 'basic' }))).toEqual([])
    expect(plan.issues(identify({ plan: 'gold' }))).toEqual([
      { path: 'traits.plan', message: 'must be one of "basic", "summit" by the tracking plan' },
      { path: 'traits.email', message: 'is required by the tracking plan (string)' },
    ])
    expect(plan.issues({ type: 'page', anonymousId: 'a', properties: { x: 1 } } as IncomingEvent)).toEqual([])
  })

  it('takes whole numbers as numbers too', () => {
    expect(jsonTypeOf(3)).toBe('integer')
    expect(jsonTypeOf(3.5)).toBe('number')
    expect(jsonTypeOf([])).toBe('array')
    expect(jsonTypeOf({})).toBe('object')
    const p = checker({ events: { Paid: { properties: { amount: { type: 'number' } } } } })
    expect(p.issues(track('Paid', { amount: 3 }))).toEqual([])
  })

  it('refuses a plan that cannot be checked, naming the field', () => {
    const bad = (input: unknown) => trackingPlan.safeParse(input).error?.issues.map((i) => i.path.join('.'))
    expect(bad({ events: { X: { properties: { a: { pattern: '([' } } } } })).toEqual([
      'events.X.properties.a.pattern',
    ])
    expect(bad({ events: { X: { properties: { a: { minimum: 5, maximum: 1 } } } } })).toEqual([
      'events.X.properties.a.minimum',
    ])
    expect(bad({ events: { X: { properties: { a: { type: 'text' } } } } })).toEqual([
      'events.X.properties.a.type',
    ])
    expect(bad({ violations: 'drop' })).toEqual(['violations'])
    expect(bad({ events: { X: { propertes: {} } } })).toEqual(['events.X'])
    // inside an object or a list's items, the same
    expect(
      bad({ events: { X: { properties: { a: { items: { properties: { b: { pattern: '([' } } } } } } } }),
    ).toEqual(['events.X.properties.a.items.properties.b.pattern'])
    expect(bad({ events: { X: { properties: { a: { item: {} } } } } })).toEqual(['events.X.properties.a'])
  })

  it('checks what is inside an object and the items of a list', () => {
    const lines = checker({
      events: {
        'Order Completed': {
          properties: {
            products: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  productId: { type: 'string', required: true },
                  price: { type: 'number', minimum: 0 },
                },
                additionalProperties: false,
              },
            },
            shipping: { type: 'object', properties: { country: { type: 'string', pattern: '^[A-Z]{2}$' } } },
          },
        },
      },
    })
    const order = (properties: Record<string, unknown>) => lines.issues(track('Order Completed', properties))
    expect(
      order({ products: [{ productId: 'boot', price: 100 }], shipping: { country: 'AT', zip: '1010' } }),
    ).toEqual([])
    expect(
      order({
        products: [{ productId: 'boot', price: -1 }, { price: 5, colour: 'red' }, 'sock'],
        shipping: { country: 'Austria' },
      }),
    ).toEqual([
      { path: 'properties.products[0].price', message: 'must be at least 0 by the tracking plan' },
      { path: 'properties.products[1].productId', message: 'is required by the tracking plan (string)' },
      {
        path: 'properties.products[1].colour',
        message: 'is not in the tracking plan of "properties.products[1]"',
      },
      { path: 'properties.products[2]', message: 'must be object by the tracking plan, not string' },
      { path: 'properties.shipping.country', message: 'must match /^[A-Z]{2}$/ by the tracking plan' },
    ])
    // a list of 500 bad lines says so ten times, not five hundred
    const many = order({ products: Array.from({ length: 500 }, () => ({ price: 1 })) })
    expect(many).toHaveLength(10)
  })
})
