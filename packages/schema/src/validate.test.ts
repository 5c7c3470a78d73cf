import { describe, expect, it } from 'vitest'
import { MAX_EVENT_BYTES, MAX_PROPERTY_DEPTH } from './limits'
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

describe('formatPath', () => {
  it('writes dotted paths with indexes', () =>
    expect(formatPath(['properties', 'items', 0, 'price'])).toBe('properties.items[0].price'))
})
