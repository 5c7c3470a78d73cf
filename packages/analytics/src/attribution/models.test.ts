import { describe, expect, it } from 'vitest'
import { creditRule, type RuleModel, weights } from './models'

const HOUR = 3_600_000
const options = { halfLifeMs: 7 * 24 * HOUR, directKey: '(direct)' }

describe('rule-based weights', () => {
  it('give a key whose touches are all of one conversion exactly 1, with no floating-point remainder', () => {
    // the email journey's case: the click and the visits after it, all tagged with one campaign (hours found to
    // give 0.9999999999999999 when each touch was divided before adding)
    const path = {
      at: 1_795_000_000_000,
      revenue: 144,
      touches: [4.07, 2.82, 0.6].map((h) => ({
        key: 'spring-sale',
        direct: false,
        at: 1_795_000_000_000 - h * HOUR,
      })),
    }
    for (const model of ['linear', 'time_decay', 'position_based', 'first_touch'] as RuleModel[]) {
      const credit = creditRule(model, [path], options).get('spring-sale')
      expect(credit, model).toEqual({ conversions: 1, revenue: 144 })
    }
  })

  it('adds a key’s touches before dividing, and the shares still sum to 1', () => {
    const path = {
      at: 10 * HOUR,
      revenue: 0,
      touches: [
        { key: 'a', direct: false, at: 0 },
        { key: 'b', direct: false, at: HOUR },
        { key: 'a', direct: false, at: 2 * HOUR },
      ],
    }
    const linear = Object.fromEntries(weights('linear', path, options))
    expect(linear).toEqual({ a: 2 / 3, b: 1 / 3 })
    const decay = weights('time_decay', path, options)
    expect(decay.map(([k]) => k)).toEqual(['a', 'b'])
    expect(decay.reduce((s, [, w]) => s + w, 0)).toBeCloseTo(1, 15)
  })
})
