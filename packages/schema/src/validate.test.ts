import { describe, expect, it } from 'vitest'
import { MAX_EVENT_BYTES, MAX_PROPERTY_DEPTH } from './limits'
import { callWithoutNulls } from './nulls'
import { formatPath, validateEvent } from './validate'

describe('validateEvent', () => {
  it('accepts each Segment call type', () => {
    for (const e of [
      { type: 'track', event: 'Signed Up', userId: 'u' },
      { type: 'page', anonymousId: 'a', name: 'Home', properties: { path: '/' } },
      { type: 'screen', anonymousId: 'a', name: 'Home' },
      { type: 'identify', userId: 'u', traits: { email: 'x@example.com' } },
      { type: 'alias', previousId: 'a', userId: 'u' },
      { type: 'group', userId: 'u', groupId: 'g' },
    ]) {
      expect(validateEvent(e).ok, e.type).toBe(true)
    }
  })

  it('takes the type from the route, and refuses a different one', () => {
    expect(validateEvent({ event: 'x', userId: 'u' }, 'track').ok).toBe(true)
    expect(validateEvent({ type: 'page', userId: 'u' }, 'track')).toEqual({
      ok: false,
      issues: [{ path: 'type', message: 'must be "track" on this route' }],
    })
  })

  it('names the field and the reason', () => {
    expect(validateEvent({ type: 'track', userId: 'u' })).toEqual({
      ok: false,
      issues: [{ path: 'event', message: 'is required (string)' }],
    })
    expect(validateEvent({ type: 'track', event: 'x' })).toEqual({
      ok: false,
      issues: [{ path: 'userId', message: 'userId or anonymousId is required' }],
    })
    const bad = validateEvent({
      type: 'track',
      event: 'x',
      userId: 'u',
      timestamp: 'yesterday',
      context: { screen: { width: -1 } },
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.issues.map((i) => i.path).sort()).toEqual(['context.screen.width', 'timestamp'])
    expect(validateEvent({ type: 'nope' })).toMatchObject({ ok: false, issues: [{ path: 'type' }] })
    expect(validateEvent([1])).toMatchObject({
      ok: false,
      issues: [{ path: '', message: 'must be a JSON object' }],
    })
  })

  it('enforces the size and depth limits', () => {
    const big = validateEvent({
      type: 'track',
      event: 'x',
      userId: 'u',
      properties: { s: 'x'.repeat(MAX_EVENT_BYTES) },
    })
    expect(big).toMatchObject({ ok: false, issues: [{ path: '' }] })
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < MAX_PROPERTY_DEPTH + 1; i++) {
      deep.a = {}
      deep = deep.a as Record<string, unknown>
    }
    expect(validateEvent({ type: 'track', event: 'x', userId: 'u', properties: root })).toMatchObject({
      ok: false,
      issues: [{ path: 'properties' }],
    })
  })

  it('keeps unknown keys Segment libraries send', () => {
    const r = validateEvent({
      type: 'track',
      event: 'x',
      userId: 'u',
      _metadata: { bundled: [] },
      context: { app: { name: 'a' } },
    })
    expect(r.ok).toBe(true)
  })

  it("takes a null id as no id, as Segment's browser library sends userId before identify", () => {
    expect(validateEvent({ type: 'page', anonymousId: 'a', userId: null }).ok).toBe(true)
    expect(validateEvent({ type: 'identify', anonymousId: null, userId: 'u' }).ok).toBe(true)
    expect(validateEvent({ type: 'track', event: 'x', anonymousId: null, userId: null })).toEqual({
      ok: false,
      issues: [{ path: 'userId', message: 'userId or anonymousId is required' }],
    })
  })
})

describe('validateEvent and null', () => {
  it("takes a null field as one not sent, as Segment's Python library sends a page without a name", () => {
    // analytics-python 2.x's page() with no name or category, as it posts it
    const page = validateEvent({
      integrations: {},
      anonymousId: null,
      properties: { path: '/docs' },
      timestamp: '2026-12-08T01:00:00.000+00:00',
      category: null,
      context: { library: { name: 'analytics-python', version: '2.4.0' } },
      userId: 'u-9',
      type: 'page',
      name: null,
      messageId: 'py-1',
    })
    expect(page.ok && page.event).toMatchObject({
      type: 'page',
      userId: 'u-9',
      properties: { path: '/docs' },
    })
    expect(page.ok && Object.keys(page.event).sort()).toEqual(
      ['context', 'integrations', 'messageId', 'properties', 'timestamp', 'type', 'userId'].sort(),
    )
    // a server's own code, with a database's NULLs, in the context and its objects too
    const call = validateEvent({
      type: 'track',
      event: 'Signed Up',
      userId: 'u',
      timestamp: null,
      sentAt: null,
      context: { ip: null, page: null, campaign: { source: 'x', name: null }, device: { type: null } },
    })
    expect(call.ok && call.event).toEqual({
      type: 'track',
      event: 'Signed Up',
      userId: 'u',
      context: { campaign: { source: 'x' }, device: {} },
    })
  })

  it("takes a page's or screen's empty name or category as none, as Segment's Ruby library sends it", () => {
    expect(validateEvent({ type: 'page', userId: 'u', name: '', category: '' }).ok).toBe(true)
    expect(validateEvent({ type: 'screen', userId: 'u', name: '' }).ok).toBe(true)
    // an event's name is still required
    expect(validateEvent({ type: 'track', userId: 'u', event: '' })).toEqual({
      ok: false,
      issues: [{ path: 'event', message: 'must not be empty' }],
    })
  })

  it("takes an empty user or anonymous id as none, as Segment's Ruby library sends nil.to_s", () => {
    const track = validateEvent({ type: 'track', event: 'x', userId: '', anonymousId: 'a-1' })
    expect(track.ok && track.event).toEqual({ type: 'track', event: 'x', anonymousId: 'a-1' })
    expect(validateEvent({ type: 'identify', userId: 'u', anonymousId: '' }).ok).toBe(true)
    // with neither, it is still refused for want of one
    expect(validateEvent({ type: 'track', event: 'x', userId: '', anonymousId: '' })).toEqual({
      ok: false,
      issues: [{ path: 'userId', message: 'userId or anonymousId is required' }],
    })
    // other ids are not the person's: an empty one is still refused
    expect(validateEvent({ type: 'alias', previousId: '', userId: 'u' })).toMatchObject({
      ok: false,
      issues: [{ path: 'previousId', message: 'must not be empty' }],
    })
  })

  it('keeps the nulls of properties and traits, and still requires what is required', () => {
    const identify = validateEvent({
      type: 'identify',
      userId: 'u',
      traits: { phone: null },
      context: { traits: { phone: null } },
    })
    expect(identify.ok && identify.event).toMatchObject({
      traits: { phone: null },
      context: { traits: { phone: null } },
    })
    const track = validateEvent({ type: 'track', event: 'x', userId: 'u', properties: { coupon: null } })
    expect(track.ok && track.event.type === 'track' && track.event.properties).toEqual({ coupon: null })
    expect(validateEvent({ type: 'track', event: null, userId: 'u' })).toEqual({
      ok: false,
      issues: [{ path: 'event', message: 'is required (string)' }],
    })
    expect(validateEvent({ type: null, event: 'x', userId: 'u' }, 'track').ok).toBe(true)
  })

  it('leaves a call without nulls as it came, and a __proto__ key a key', () => {
    // no copy on the way of every call that has no null
    const raw = {
      type: 'track',
      event: 'x',
      userId: 'u',
      context: { page: { path: '/' }, traits: { a: null } },
    }
    expect(callWithoutNulls(raw)).toBe(raw)
    const proto = callWithoutNulls(
      JSON.parse('{"type":"track","context":{"__proto__":{"a":null,"b":1},"ip":null}}'),
    )
    expect(Object.getPrototypeOf(proto.context)).toBe(Object.prototype)
    expect(JSON.stringify(proto)).toBe('{"type":"track","context":{"__proto__":{"b":1}}}')
  })
})

describe('formatPath', () => {
  it('writes dotted paths with indexes', () =>
    expect(formatPath(['properties', 'items', 0, 'price'])).toBe('properties.items[0].price'))
})
