import { describe, expect, it } from 'vitest'
import { toEventRow } from './event-row'

describe('toEventRow: the session', () => {
  const facts = {
    projectId: 'p1',
    trusted: false,
    source: 'browser' as const,
    receivedAt: Date.UTC(2026, 11, 5, 23, 59, 0),
    ip: '203.0.113.7',
    userAgent: undefined,
    sentAt: undefined,
  }
  const page = (extra: object) => ({ type: 'page' as const, anonymousId: 'a-1', ...extra })

  it("is the SDK's when the call has one", () => {
    expect(toEventRow(page({ context: { sessionId: 's-9' } }), facts).session_id).toBe('s-9')
  })
  it("is the device's UTC day for a browser's page or screen call without one, as Segment's libraries send", () => {
    const at = '2026-12-05T23:58:30.000Z'
    expect(toEventRow(page({ timestamp: at }), facts).session_id).toBe('a-1/2026-12-05')
    // the call's own time decides the day, not the receive time, so a retry lands in the same session
    expect(
      toEventRow(page({ timestamp: at }), { ...facts, receivedAt: Date.UTC(2026, 11, 6, 0, 0, 30) })
        .session_id,
    ).toBe('a-1/2026-12-05')
  })
  it("is the device's own day when the call names its time zone, as Segment's browser library does", () => {
    // an evening in California: 3 pm and 7 pm on the 5th there, either side of UTC midnight
    const later = { ...facts, receivedAt: Date.UTC(2026, 11, 6, 4) } // sent in time: the calls keep their times
    const la = (at: string) => page({ timestamp: at, context: { timezone: 'America/Los_Angeles' } })
    expect(toEventRow(la('2026-12-05T23:00:00.000Z'), later).session_id).toBe('a-1/2026-12-05')
    expect(toEventRow(la('2026-12-06T03:00:00.000Z'), later).session_id).toBe('a-1/2026-12-05')
    // UTC's day for a zone that does not exist, or none
    const at = '2026-12-06T03:00:00.000Z'
    for (const timezone of ['Mars/Olympus', '', 'x'.repeat(100), undefined])
      expect(toEventRow(page({ timestamp: at, context: { timezone } }), later).session_id).toBe(
        'a-1/2026-12-06',
      )
  })
  it('is none for server calls, for a browser call with a user id only, and for calls other than views', () => {
    expect(toEventRow(page({}), { ...facts, trusted: true, source: 'server' }).session_id).toBe('')
    expect(toEventRow({ type: 'page', userId: 'u-1' }, facts).session_id).toBe('')
    expect(toEventRow({ type: 'screen', anonymousId: 'a-1' }, facts).session_id).toMatch(/^a-1\//)
    // a track or identify without a session would start a Direct visit of its own after the real one
    expect(toEventRow({ type: 'track', event: 'x', anonymousId: 'a-1' }, facts).session_id).toBe('')
    expect(toEventRow({ type: 'identify', anonymousId: 'a-1', userId: 'u-1' }, facts).session_id).toBe('')
  })
})

describe('toEventRow: the page', () => {
  const facts = {
    projectId: 'p1',
    trusted: false,
    source: 'browser' as const,
    receivedAt: Date.UTC(2026, 11, 5),
    ip: '203.0.113.7',
    userAgent: undefined,
    sentAt: undefined,
  }
  const url = 'https://shop.example/caf%C3%A9/menu?utm_source=news#top'

  it("takes the path from the URL where the call names none, as tp.js's calls do", () => {
    const row = toEventRow({ type: 'page', anonymousId: 'a-1', context: { page: { url } } }, facts)
    expect(row).toMatchObject({ url, path: '/caf%C3%A9/menu', utm_source: 'news' })
    const track = { type: 'track' as const, event: 'x', anonymousId: 'a-1', context: { page: { url } } }
    expect(toEventRow(track, facts).path).toBe('/caf%C3%A9/menu')
  })

  it('keeps the path a call names, and has none without a URL', () => {
    const named = { type: 'page' as const, anonymousId: 'a-1', context: { page: { url, path: '/named' } } }
    expect(toEventRow(named, facts).path).toBe('/named')
    expect(toEventRow({ type: 'page', anonymousId: 'a-1', properties: { path: '/p' } }, facts).path).toBe(
      '/p',
    )
    expect(
      toEventRow({ type: 'page', anonymousId: 'a-1', context: { page: { url: 'not a url' } } }, facts).path,
    ).toBe('')
  })
})

describe('toEventRow: the channel of a call from off the website', () => {
  const facts = (source: 'browser' | 'server' | 'import') => ({
    projectId: 'p1',
    trusted: source !== 'browser',
    source,
    receivedAt: Date.UTC(2026, 11, 5),
    ip: '203.0.113.7',
    userAgent: undefined,
    sentAt: undefined,
  })
  const order = (context = {}) => ({
    type: 'track' as const,
    event: 'Order Completed',
    userId: 'u-1',
    context,
  })
  const channel = (e: object, source: 'browser' | 'server' | 'import') =>
    toEventRow(e as never, facts(source)).channel

  it('is none for a server or import call that names no page, referrer or source: it belongs to no visit', () => {
    expect(channel(order(), 'server')).toBe('')
    expect(channel(order(), 'import')).toBe('')
    expect(channel({ type: 'identify', userId: 'u-1', traits: { plan: 'pro' } }, 'server')).toBe('')
  })
  it('is what the page, referrer or campaign a server call names says, Direct among them', () => {
    expect(channel(order({ page: { url: 'https://shop.example/checkout' } }), 'server')).toBe('Direct')
    expect(channel(order({ referrer: { url: 'https://www.google.com/' } }), 'server')).toBe('Organic Search')
    expect(channel(order({ campaign: { source: 'newsletter', medium: 'email' } }), 'import')).toBe('Email')
  })
  it("is Direct for a browser's call without a page, as before: a visitor's, from nowhere", () => {
    expect(channel(order(), 'browser')).toBe('Direct')
  })
})

describe('toEventRow: a view keeps its name', () => {
  const facts = {
    projectId: 'p1',
    trusted: true,
    source: 'server' as const,
    receivedAt: Date.UTC(2026, 11, 5),
    ip: '203.0.113.7',
    userAgent: undefined,
    sentAt: undefined,
  }
  const props = (e: object) => JSON.parse(toEventRow(e as never, facts).properties)

  it("keeps a page or screen call's name and category in its properties, as Segment's libraries send them", () => {
    expect(
      props({ type: 'page', userId: 'u', name: 'Pricing', category: 'Shop', properties: { plan: 'pro' } }),
    ).toEqual({
      name: 'Pricing',
      category: 'Shop',
      plan: 'pro',
    })
    expect(props({ type: 'screen', userId: 'u', name: 'Cart' })).toEqual({ name: 'Cart' })
  })
  it("leaves what the call's properties say, and other calls, as they are", () => {
    expect(props({ type: 'page', userId: 'u', name: 'Pricing', properties: { name: 'Plans' } })).toEqual({
      name: 'Plans',
    })
    expect(props({ type: 'page', userId: 'u', properties: { path: '/' } })).toEqual({ path: '/' })
    expect(props({ type: 'track', event: 'x', userId: 'u', name: 'n' })).toEqual({})
  })
})
