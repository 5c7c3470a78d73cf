import { type Currencies, conversionCurrencies } from '../currencies'
import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import {
  ATTRIBUTION_MODELS,
  type AttributionModel,
  type AttributionRequest,
  attributionRequest,
} from '../requests'
import { creditsSql, MARKOV_ROW, RULE_ROW, STATE, TOTALS_ROW } from './credits-sql'
import { CONVERSION, markovFromTransitions, NULL, START, type Transition } from './markov'
import type { Credit, RuleModel } from './models'
import { type Spend, type SpendResult, spendOf, withCosts } from './spend'
import type { AttributionKey } from './touches'

export interface AttributionRow {
  key: string
  conversions: number
  revenue: number
  /** Share of all credited conversions. */
  share: number
  /** With ad spend recorded in the range (spend.ts): what the key's ads cost, 0 for a key with none */
  cost?: number
  /** revenue ÷ cost (return on ad spend), null without cost */
  roas?: number | null
  /** cost ÷ conversions, null without conversions */
  costPerConversion?: number | null
}

export interface ModelResult {
  model: AttributionModel
  rows: AttributionRow[]
  totals: { conversions: number; revenue: number }
}

export interface AttributionResult {
  by: AttributionKey
  conversions: number
  revenue: number
  /** `revenue` (and every credit's) is what each order kept after the refunds made since, not what it was ordered at */
  netOfRefunds: boolean
  /** The currencies the conversions' revenue was sent in (currencies.ts): more than one, and `revenue` mixes them. */
  currencies: Currencies
  models: ModelResult[]
  /**
   * With ad spend recorded in the range: its cost, clicks and impressions, the currencies of the cost, and the
   * return on it (revenue ÷ cost) and cost per conversion over every conversion. Each model's rows then carry
   * their key's cost too, and a key with spend and no credited conversion has a row of its own.
   */
  spend?: Spend & { currencies: Currencies; roas: number | null; costPerConversion: number | null }
}

/**
 * Multi-touch attribution as docs/analytics.md defines it. One ClickHouse query assembles each conversion's
 * touches (and, for Markov, the paths of people who did not convert) and sums every requested model's credits
 * and the Markov transitions (credits-sql.ts); only the removal effects are solved here, on a matrix of one row
 * per key. Every model sees the same touches, and its credits sum to the number of conversions.
 */
export async function attribution(reader: Reader, input: AttributionRequest): Promise<AttributionResult> {
  const req = attributionRequest.parse(input)
  const models: AttributionModel[] = req.model === 'all' ? [...ATTRIBUTION_MODELS] : [req.model]
  const p = new QueryParams()
  const sql = creditsSql(p, {
    project: req.project,
    from: req.from,
    to: req.to,
    lookbackMs: req.lookback * 1000,
    conversion: req.conversion,
    by: req.by,
    exchange: req.exchange,
    rules: models.filter((m): m is RuleModel => m !== 'markov'),
    markov: models.includes('markov'),
    halfLifeMs: req.halfLife * 1000,
    netOfRefunds: req.netOfRefunds,
  })
  const [rows, currencies, spend] = await Promise.all([
    reader.rows<CreditRow>(sql, p),
    conversionCurrencies(reader, req),
    spendOf(reader, req),
  ])
  const totals = { conversions: 0, revenue: 0 }
  const rules = new Map<number, Map<string, Credit>>()
  const transitions: Transition[] = []
  for (const r of rows) {
    const model = num(r.model)
    const weight = num(r.credit)
    if (model === TOTALS_ROW) {
      totals.conversions = weight
      totals.revenue = num(r.credit_revenue)
    } else if (model === MARKOV_ROW) {
      transitions.push({
        from: num(r.from_kind) === STATE.start ? START : r.from_key,
        to: toState(num(r.to_kind), r.to_key),
        count: weight,
      })
    } else {
      const credits = rules.get(model) ?? new Map<string, Credit>()
      credits.set(r.to_key, { conversions: weight, revenue: num(r.credit_revenue) })
      rules.set(model, credits)
    }
  }
  const results = models.map((model) =>
    toResult(
      model,
      model === 'markov'
        ? markovFromTransitions(transitions, totals)
        : (rules.get(RULE_ROW[model]) ?? new Map<string, Credit>()),
    ),
  )
  const result = {
    by: req.by,
    conversions: totals.conversions,
    revenue: totals.revenue,
    netOfRefunds: req.netOfRefunds,
    currencies,
    models: results,
  }
  return spend ? withSpend(result, spend) : result
}

/** The result with each key's cost beside its credits, keys with spend and no credit as rows of their own. */
function withSpend(result: AttributionResult, spend: SpendResult): AttributionResult {
  const returns = (revenue: number, conversions: number, cost: number) => ({
    roas: cost > 0 ? revenue / cost : null,
    costPerConversion: conversions > 0 ? cost / conversions : null,
  })
  const models = result.models.map((m) => ({
    ...m,
    rows: withCosts(m.rows, spend, { conversions: 0, revenue: 0, share: 0 }, (r, cost) =>
      returns(r.revenue, r.conversions, cost),
    ),
  }))
  const total = { ...spend.total, currencies: spend.currencies }
  return {
    ...result,
    models,
    spend: { ...total, ...returns(result.revenue, result.conversions, spend.total.cost) },
  }
}

interface CreditRow {
  model: unknown
  from_kind: unknown
  from_key: string
  to_kind: unknown
  to_key: string
  credit: unknown
  credit_revenue: unknown
}

function toState(kind: number, key: string): Transition['to'] {
  if (kind === STATE.conversion) return CONVERSION
  if (kind === STATE.null) return NULL
  return key
}

function toResult(model: AttributionModel, credits: Map<string, Credit>): ModelResult {
  let conversions = 0
  let revenue = 0
  for (const c of credits.values()) {
    conversions += c.conversions
    revenue += c.revenue
  }
  const rows = [...credits]
    .map(([key, c]) => ({
      key,
      conversions: round(c.conversions, 1e9),
      revenue: round(c.revenue, 1e6),
      share: conversions > 0 ? round(c.conversions / conversions, 1e9) : 0,
    }))
    .sort((a, b) => b.conversions - a.conversions || a.key.localeCompare(b.key))
  return { model, rows, totals: { conversions: round(conversions, 1e9), revenue: round(revenue, 1e6) } }
}

/**
 * Fractional credits are sums of floating-point shares: one conversion split over three touches by time decay
 * can sum to 0.9999999999999999. Credits are rounded to 1e-9 of a conversion and revenue to 1e-6 of its
 * currency unit, finer than any report shows, so that a whole conversion reads as 1.
 */
const round = (x: number, scale: number) => Math.round(x * scale) / scale
