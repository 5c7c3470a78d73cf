import { setFlagsFromString } from 'node:v8'
import type { PropertyRuleInput, TrackingPlan } from '@touchpoint/schema'
import type { z } from 'zod'

let enabled = false

/**
 * A pattern on V8's linear-time regular expression engine (the `l` flag): its time grows with the value's length
 * and no faster, whatever the pattern, where JavaScript's own engine backtracks and can take exponential time on
 * a crafted value (`^([a-z]+\.)+$` against a long run of letters and dots). The engine is behind a V8 flag in Node
 * 20, turned on here before the first such pattern; it takes no `u` or `i` flag, backreferences or lookarounds.
 * A tracking plan's patterns run on every event anybody with the public write key sends, so they run on it.
 */
export function linearRegExp(pattern: string): RegExp {
  if (!enabled) {
    setFlagsFromString('--enable-experimental-regexp-engine')
    enabled = true
  }
  return new RegExp(pattern, 'l')
}

/**
 * Refines a tracking plan: every pattern, also inside an object's properties and a list's items, must be one the
 * linear-time engine runs, naming the field that is not.
 */
export function linearPatterns(plan: TrackingPlan, ctx: z.RefinementCtx): void {
  const checkRule = (rule: PropertyRuleInput, path: Array<string | number>) => {
    if (rule.pattern !== undefined)
      try {
        linearRegExp(rule.pattern)
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'pattern'],
          message:
            'not a pattern the linear-time engine runs: no backreferences (\\1) or lookarounds ((?=…)), and no counted repetition past 16 ({3,20}: use {3,} or a shorter bound)',
        })
      }
    check(rule.properties, [...path, 'properties'])
    if (rule.items) checkRule(rule.items, [...path, 'items'])
  }
  const check = (rules: Record<string, PropertyRuleInput> | undefined, path: Array<string | number>) => {
    for (const [name, rule] of Object.entries(rules ?? {})) checkRule(rule, [...path, name])
  }
  for (const [event, rule] of Object.entries(plan.events))
    check(rule.properties, ['events', event, 'properties'])
  check(plan.traits, ['traits'])
}
