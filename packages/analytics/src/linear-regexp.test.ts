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
      events: { E: { properties: { a: { pattern: '(a)\\1' }, b: { pattern: '^b' } } } },
      traits: { c: { pattern: '(?=x)' } },
    })
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'events.E.properties.a.pattern',
        'not a pattern the linear-time engine runs: no backreferences (\\1) or lookarounds ((?=…))',
      ],
      [
        'traits.c.pattern',
        'not a pattern the linear-time engine runs: no backreferences (\\1) or lookarounds ((?=…))',
      ],
    ])
  })
})
