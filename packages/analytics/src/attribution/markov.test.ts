import { describe, expect, it } from 'vitest'
import { invert, markovCredits } from './markov'
import type { ConversionPath } from './models'

const path = (keys: string[], revenue: number): ConversionPath => ({
  at: 0,
  revenue,
  touches: keys.map((key, i) => ({ key, direct: false, at: i })),
})

describe('markov removal effect', () => {
  it('matches a three-path example worked by hand', () => {
    // paths: A → B → conv (revenue 100), B → conv (revenue 50), A → null
    // transitions: start→A 2/3, start→B 1/3, A→B 1/2, A→null 1/2, B→conv 1
    // P(conv) = 2/3 · 1/2 + 1/3 = 2/3
    // without A: only start→B converts: P = 1/3, RE_A = (2/3 − 1/3) / (2/3) = 1/2
    // without B: nothing converts: P = 0, RE_B = 1
    // credits: A = 2 · 0.5/1.5 = 2/3, B = 2 · 1/1.5 = 4/3; revenue 150 split the same way: A 50, B 100
    const credits = markovCredits(
      [path(['A', 'B'], 100), path(['B'], 50)],
      [{ keys: ['A'], people: 1 }],
      'Direct',
    )
    expect(credits.get('A')?.conversions).toBeCloseTo(2 / 3, 12)
    expect(credits.get('B')?.conversions).toBeCloseTo(4 / 3, 12)
    expect(credits.get('A')?.revenue).toBeCloseTo(50, 9)
    expect(credits.get('B')?.revenue).toBeCloseTo(100, 9)
  })

  it('handles loops and repeats, and credits sum to the conversions', () => {
    // A → A → B → conv, B → A → conv, C → null (twice), A → C → null
    const credits = markovCredits(
      [path(['A', 'A', 'B'], 10), path(['B', 'A'], 20)],
      [
        { keys: ['C'], people: 2 },
        { keys: ['A', 'C'], people: 1 },
      ],
      'Direct',
    )
    const sum = [...credits.values()].reduce((s, c) => s + c.conversions, 0)
    expect(sum).toBeCloseTo(2, 12)
    expect(credits.has('C')).toBe(false) // C never leads to a conversion: no removal effect
    expect(credits.get('A')?.conversions).toBeGreaterThan(0)
  })

  it('gives a conversion with no touch to the direct key', () => {
    const credits = markovCredits([{ at: 0, revenue: 5, touches: [] }], [], 'Direct')
    expect(credits.get('Direct')).toEqual({ conversions: 1, revenue: 5 })
  })

  it('inverts a matrix exactly enough', () => {
    const m = [
      [4, 7, 2],
      [3, 6, 1],
      [2, 5, 3],
    ]
    const inv = invert(m)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const v = m[i]!.reduce((s, x, k) => s + x * inv[k]![j]!, 0)
        expect(v).toBeCloseTo(i === j ? 1 : 0, 12)
      }
  })
})
