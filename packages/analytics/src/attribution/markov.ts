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
  const transitions = new Map<string, Transition>()
  const walk = (seq: string[], end: End, n: number) => {
    let prev: From = START
    for (const key of seq) {
      count(transitions, prev, key, n)
      prev = key
    }
    count(transitions, prev, end, n)
  }
  let revenue = 0
  for (const c of conversions) {
    walk(c.touches.length ? c.touches.map((t) => t.key) : [directKey], CONVERSION, 1)
    revenue += c.revenue
  }
  for (const p of nulls) if (p.keys.length) walk(p.keys, NULL, p.people)
  return markovFromTransitions([...transitions.values()], { conversions: conversions.length, revenue })
}

export const START = Symbol('start')
export const CONVERSION = Symbol('conversion')
export const NULL = Symbol('null')
type From = string | typeof START
type End = typeof CONVERSION | typeof NULL

/** How many paths stepped from one state to the next. */
export interface Transition {
  from: From
  to: string | End
  count: number
}

function count(transitions: Map<string, Transition>, from: From, to: string | End, n: number) {
  const tag = (s: string | symbol) => (typeof s === 'string' ? ['key', s] : [s.description])
  const id = JSON.stringify([tag(from), tag(to)])
  const t = transitions.get(id)
  if (t) t.count += n
  else transitions.set(id, { from, to, count: n })
}

/**
 * The removal-effect credits from counted transitions (the same transition may appear more than once: counts
 * add up), with the conversions and revenue to share out.
 */
export function markovFromTransitions(
  transitions: readonly Transition[],
  totals: { conversions: number; revenue: number },
): Map<string, Credit> {
  const keys = new Map<string, number>() // key → state index (0 is start)
  const index = (key: From) => {
    if (key === START) return 0
    let i = keys.get(key)
    if (i === undefined) {
      i = keys.size + 1
      keys.set(key, i)
    }
    return i
  }
  const CONV = -1
  const LOST = -2
  const counts = new Map<number, Map<number, number>>()
  for (const t of transitions) {
    const from = index(t.from)
    const to = t.to === CONVERSION ? CONV : t.to === NULL ? LOST : index(t.to)
    const row = counts.get(from) ?? new Map<number, number>()
    row.set(to, (row.get(to) ?? 0) + t.count)
    counts.set(from, row)
  }
  const credits = new Map<string, Credit>()
  if (totals.conversions === 0) return credits

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
      conversions: (totals.conversions * e) / sum,
      revenue: (totals.revenue * e) / sum,
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
