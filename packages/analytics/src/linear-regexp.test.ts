import { trackingPlan } from '@touchpoint/schema'
import { describe, expect, it } from 'vitest'
import { linearPatterns, linearRegExp } from './linear-regexp'

describe('linearRegExp', () => {
  it('matches as JavaScript does, in time that grows with the value alone', () => {
    expect(linearRegExp('^[A-Z0-9]{4,12}$').test('WINTER26')).toBe(true)
    expect(linearRegExp('^https://[^/]+/(docs|blog)/').test('https://shop.example/blog/x')).toBe(true)
    // 2^40 steps for a backtracking engine: hours; here, no time at all
    const evil = linearRegExp('^(\\w+\\s?)+$')
    const started = performance.now()
    expect(evil.test(`${'a'.repeat(40)}!`)).toBe(false)
    expect(evil.test('a'.repeat(100_000))).toBe(true)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('refuses a plan whose pattern the engine cannot run, naming the field', () => {
    const plan = trackingPlan.superRefine(linearPatterns)
    const r = plan.safeParse({
      events: {
        E: {
          properties: {
            a: { pattern: '(a)\\1' },
            b: { pattern: '^b' },
            // inside a list's items and an object's properties too; a counted repetition past 16
            lines: { items: { properties: { sku: { pattern: '^[A-Z]{3,20}$' } } } },
            ship: { properties: { zip: { pattern: '^[0-9]{4,16}$' } } },
          },
        },
      },
      traits: { c: { pattern: '(?=x)' } },
    })
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'events.E.properties.a.pattern',
      'events.E.properties.lines.items.properties.sku.pattern',
      'traits.c.pattern',
    ])
    expect(r.error?.issues[0]?.message).toBe(
      'not a pattern the linear-time engine runs: no backreferences (\\1) or lookarounds ((?=…)), and no counted repetition past 16 ({3,20}: use {3,} or a shorter bound)',
    )
  })
})
