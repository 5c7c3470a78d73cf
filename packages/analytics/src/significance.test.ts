import { describe, expect, it } from 'vitest'
import { compareMeans, compareRates, erfc, peopleNeeded, sequentialP, twoSidedP } from './significance'

describe('significance', () => {
  it('gives the normal distribution’s tails', () => {
    // values of erfc and of the two-sided p of 1.96 and 2.576, to the approximation's accuracy
    expect(erfc(0)).toBeCloseTo(1, 7)
    expect(erfc(1)).toBeCloseTo(0.157299207, 7)
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7)
    expect(twoSidedP(1.959963985)).toBeCloseTo(0.05, 6)
    expect(twoSidedP(-2.575829304)).toBeCloseTo(0.01, 6)
  })

  it('compares two conversion rates as the pooled z-test does', () => {
    // expected values from Python's math.erfc over the same formulas
    const a = compareRates({ n: 1000, x: 100 }, { n: 1000, x: 130 })
    expect(a.difference).toBeCloseTo(0.03, 12)
    expect(a.pValue).toBeCloseTo(0.03548845, 6)
    expect(a.low).toBeCloseTo(0.00206793, 7)
    expect(a.high).toBeCloseTo(0.05793207, 7)
    const b = compareRates({ n: 5000, x: 250 }, { n: 5200, x: 300 })
    expect(b.pValue).toBeCloseTo(0.08552609, 6)
    expect(b.low).toBeCloseTo(-0.00106296, 7)
    expect(compareRates({ n: 200, x: 20 }, { n: 180, x: 18 }).pValue).toBeCloseTo(1, 9)
  })

  it('says nothing of a variant with nobody in it, and is sure of a sure difference', () => {
    expect(compareRates({ n: 0, x: 0 }, { n: 10, x: 1 }).pValue).toBeNull()
    expect(compareRates({ n: 10, x: 0 }, { n: 10, x: 0 }).pValue).toBe(1)
    expect(compareMeans({ n: 1, mean: 5, variance: 0 }, { n: 10, mean: 6, variance: 1 }).pValue).toBeNull()
    expect(compareMeans({ n: 10, mean: 5, variance: 0 }, { n: 10, mean: 6, variance: 0 }).pValue).toBe(0)
  })

  it('compares two means by Welch’s statistic', () => {
    // z = (12 - 10) / sqrt(400/1000 + 900/1200) = 1.8650; two-sided p = 0.06218
    const r = compareMeans({ n: 1000, mean: 10, variance: 400 }, { n: 1200, mean: 12, variance: 900 })
    expect(r.difference).toBe(2)
    expect(r.pValue).toBeCloseTo(0.0621801, 6)
    expect(r.high - r.low).toBeCloseTo(2 * 1.959963984540054 * Math.sqrt(0.4 + 0.75), 9)
  })

  it('gives the people a test needs to tell an uplift from chance 80% of the time at 95%', () => {
    // expected values from Python over the same formula
    expect(peopleNeeded(0.1, 0.1)).toBe(14_749)
    expect(peopleNeeded(0.08, 0.1)).toBe(18_869)
    expect(peopleNeeded(0.25, 0.2)).toBe(1_248)
    expect(peopleNeeded(0.5, 0.05)).toBe(6_272)
    expect(peopleNeeded(0, 0.1)).toBeNull()
    expect(peopleNeeded(0.95, 0.1)).toBeNull()
  })

  it('gives an always-valid p-value: the mixture SPRT’s 1 ÷ Λ', () => {
    // Λ = √(V ÷ (V + τ²)) · exp(τ²d² ÷ (2V(V + τ²))), from Python over the same counts: pooled V, τ = 10% of 0.1
    const a = compareRates({ n: 1000, x: 100 }, { n: 1000, x: 130 }, 0.01)
    expect(a.sequentialPValue).toBeCloseTo(0.58949791, 6)
    expect(a.pValue).toBeLessThan(0.05) // read once, "significant"; watched, not yet
    expect(sequentialP(0, 0.0002, 0.01)).toBe(1)
    expect(sequentialP(0.03, 0.0002, 0)).toBeNull()
    expect(compareRates({ n: 0, x: 0 }, { n: 10, x: 1 }, 0.01).sequentialPValue).toBeNull()
    expect(compareRates({ n: 10, x: 1 }, { n: 10, x: 1 }).sequentialPValue).toBeUndefined()
  })

  it('watched at every look, finds a difference that is not there at most 1 time in 20; the fixed p-value far more', () => {
    // 400 A/A tests, each read 20 times as 100 more people a variant arrive, both converting at 10%
    let seed = 42
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const converted = (n: number, rate: number) => {
      let x = 0
      for (let i = 0; i < n; i++) if (random() < rate) x++
      return x
    }
    const run = (rateB: number) => {
      const a = { n: 0, x: 0 }
      const b = { n: 0, x: 0 }
      let fixed = false
      let sequential = false
      for (let look = 0; look < 20; look++) {
        a.n += 100
        a.x += converted(100, 0.1)
        b.n += 100
        b.x += converted(100, rateB)
        const d = compareRates(a, b, 0.1 * 0.2)
        fixed ||= (d.pValue ?? 1) < 0.05
        sequential ||= (d.sequentialPValue ?? 1) < 0.05
      }
      return { fixed, sequential }
    }
    const share = (key: 'fixed' | 'sequential', runs: Array<{ fixed: boolean; sequential: boolean }>) =>
      runs.filter((r) => r[key]).length / runs.length
    const aa = Array.from({ length: 400 }, () => run(0.1))
    expect(share('fixed', aa)).toBeGreaterThan(0.15)
    expect(share('sequential', aa)).toBeLessThanOrEqual(0.05)
    // and it still finds a real +40% uplift, by the last look, in most tests
    const ab = Array.from({ length: 200 }, () => run(0.14))
    expect(share('sequential', ab)).toBeGreaterThan(0.8)
  })
})
