import type { AttributionModel } from '../requests'

/** One touchpoint of a conversion: the key it is credited under, whether it is Direct, and when it began. */
export interface Touch {
  key: string
  direct: boolean
  at: number
}

/** A conversion and its touches in the lookback window, oldest first. */
export interface ConversionPath {
  at: number
  revenue: number
  touches: Touch[]
}

export interface Credit {
  conversions: number
  revenue: number
}

export type RuleModel = Exclude<AttributionModel, 'markov'>

export interface RuleOptions {
  halfLifeMs: number
  /** The key a conversion with no touchpoint is credited to. */
  directKey: string
}

/**
 * Raw weights → each key's share of one conversion, as (the key's summed weights) / (all weights). A key's
 * touches are added before dividing, so a conversion whose touches all carry one key gives it exactly 1
 * (dividing first and adding after gave 0.9999999999999999 in a test of the email journey).
 */
function shares(raw: Array<[string, number]>): Array<[string, number]> {
  let total = 0
  const byKey = new Map<string, number>()
  for (const [key, w] of raw) {
    total += w
    byKey.set(key, (byKey.get(key) ?? 0) + w)
  }
  return [...byKey].map(([key, w]) => [key, w / total])
}

/** The share of one conversion each key gets under a rule-based model; the shares sum to 1. */
export function weights(
  model: RuleModel,
  path: ConversionPath,
  options: RuleOptions,
): Array<[string, number]> {
  const touches = path.touches
  const n = touches.length
  if (n === 0) return [[options.directKey, 1]]
  const first = touches[0] as Touch
  const last = touches[n - 1] as Touch
  switch (model) {
    case 'first_touch':
      return [[first.key, 1]]
    case 'last_touch':
      return [[last.key, 1]]
    case 'last_non_direct': {
      const chosen = [...touches].reverse().find((t) => !t.direct) ?? last
      return [[chosen.key, 1]]
    }
    case 'linear':
      return shares(touches.map((t) => [t.key, 1]))
    case 'time_decay':
      return shares(touches.map((t) => [t.key, 2 ** (-(path.at - t.at) / options.halfLifeMs)]))
    case 'position_based': {
      if (n === 1) return [[first.key, 1]]
      if (n === 2)
        return [
          [first.key, 0.5],
          [last.key, 0.5],
        ]
      const middle = 0.2 / (n - 2)
      return touches.map((t, i) => [t.key, i === 0 || i === n - 1 ? 0.4 : middle])
    }
  }
}

/** Credits every conversion on its own under a rule-based model; repeated keys add up. */
export function creditRule(
  model: RuleModel,
  paths: readonly ConversionPath[],
  options: RuleOptions,
): Map<string, Credit> {
  const credits = new Map<string, Credit>()
  for (const path of paths) {
    for (const [key, w] of weights(model, path, options)) {
      const c = credits.get(key) ?? { conversions: 0, revenue: 0 }
      c.conversions += w
      c.revenue += w * path.revenue
      credits.set(key, c)
    }
  }
  return credits
}
