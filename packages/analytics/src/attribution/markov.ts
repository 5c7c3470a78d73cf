import type { ConversionPath, Credit } from './models'

/** Touch keys of people who did not convert, with how many people had that exact sequence. */
export interface NullPath {
  keys: string[]
  people: number
}

/**
 * First-order Markov attribution by removal effect, computed exactly.
 *
 * States: start, one per key, and the absorbing conversion and null. Each conversion contributes its touch
 * sequence (a conversion with no touch: the direct key) followed by conversion; each person who did not
 * convert contributes their touches followed by null. Transition probabilities are the observed frequencies.
 *
 * With Q the transient-to-transient matrix and r the transient-to-conversion vector, the probabilities of
 * reaching conversion are x = (I − Q)⁻¹ r. Removing state k sends its incoming transitions to null, which is
 * the same as making x_k zero; by first-step analysis from start s, P₋ₖ = x_s − h_sk · x_k where
 * h_sk = G_sk / G_kk is the probability of ever visiting k (G = (I − Q)⁻¹). One inversion serves every removal.
 * Removal effect RE_k = (P − P₋ₖ) / P; credit_k = conversions · RE_k / Σ RE, and the same for revenue.
 */
export function markovCredits(
  conversions: readonly ConversionPath[],
  nulls: readonly NullPath[],
  directKey: string,
): Map<string, Credit> {
  const keys = new Map<string, number>() // key → state index (0 is start)
  const index = (key: string) => {
    let i = keys.get(key)
    if (i === undefined) {
      i = keys.size + 1
      keys.set(key, i)
    }
    return i
  }
  const CONV = -1
  const NULL = -2
  const counts = new Map<number, Map<number, number>>()
  const add = (from: number, to: number, n: number) => {
    const row = counts.get(from) ?? new Map<number, number>()
    row.set(to, (row.get(to) ?? 0) + n)
    counts.set(from, row)
  }
  const walk = (seq: string[], end: number, n: number) => {
    let prev = 0
    for (const key of seq) {
      const i = index(key)
      add(prev, i, n)
      prev = i
    }
    add(prev, end, n)
  }
  let totalRevenue = 0
  for (const c of conversions) {
    walk(c.touches.length ? c.touches.map((t) => t.key) : [directKey], CONV, 1)
    totalRevenue += c.revenue
  }
  for (const p of nulls) if (p.keys.length) walk(p.keys, NULL, p.people)
  const credits = new Map<string, Credit>()
  if (conversions.length === 0) return credits

  const n = keys.size + 1
  // A = I − Q, r = probabilities into conversion
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
  const r = new Array<number>(n).fill(0)
  for (const [from, row] of counts) {
    let total = 0
    for (const v of row.values()) total += v
    for (const [to, v] of row) {
      if (to === CONV) r[from] = (r[from] ?? 0) + v / total
      else if (to >= 0) (A[from] as number[])[to] = ((A[from] as number[])[to] as number) - v / total
    }
  }
  const G = invert(A)
  const x = G.map((row) => row.reduce((s, g, j) => s + g * (r[j] as number), 0))
  const P = x[0] as number
  if (P <= 0) return credits
  const effects: Array<[string, number]> = []
  for (const [key, k] of keys) {
    const gkk = (G[k] as number[])[k] as number
    const visit = ((G[0] as number[])[k] as number) / gkk
    const without = P - visit * (x[k] as number)
    effects.push([key, Math.max(0, (P - without) / P)])
  }
  const sum = effects.reduce((s, [, e]) => s + e, 0)
  if (sum <= 0) return credits
  for (const [key, e] of effects) {
    if (e === 0) continue
    credits.set(key, {
      conversions: (conversions.length * e) / sum,
      revenue: (totalRevenue * e) / sum,
    })
  }
  return credits
}

/** Gauss–Jordan inversion with partial pivoting (the matrices here are small: one row per key). */
export function invert(matrix: number[][]): number[][] {
  const n = matrix.length
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))])
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let i = col + 1; i < n; i++)
      if (Math.abs((a[i] as number[])[col] as number) > Math.abs((a[pivot] as number[])[col] as number))
        pivot = i
    ;[a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]]
    const prow = a[col] as number[]
    const pv = prow[col] as number
    if (Math.abs(pv) < 1e-15) throw new Error('markov: singular transition matrix')
    for (let j = 0; j < 2 * n; j++) prow[j] = (prow[j] as number) / pv
    for (let i = 0; i < n; i++) {
      if (i === col) continue
      const row = a[i] as number[]
      const f = row[col] as number
      if (f === 0) continue
      for (let j = 0; j < 2 * n; j++) row[j] = (row[j] as number) - f * (prow[j] as number)
    }
  }
  return a.map((row) => row.slice(n))
}
