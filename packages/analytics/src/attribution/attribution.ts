import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import {
  ATTRIBUTION_MODELS,
  type AttributionModel,
  type AttributionRequest,
  attributionRequest,
} from '../requests'
import { markovCredits, type NullPath } from './markov'
import { type ConversionPath, type Credit, creditRule } from './models'
import { type AttributionKey, conversionPathsSql, DIRECT_KEY, nullPathsSql, type TouchQuery } from './touches'

export interface AttributionRow {
  key: string
  conversions: number
  revenue: number
  /** Share of all credited conversions. */
  share: number
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
  models: ModelResult[]
}

/**
 * Multi-touch attribution as docs/analytics.md defines it. ClickHouse assembles each conversion's touches (and,
 * for Markov, the paths of people who did not convert); the models are then exact arithmetic over those paths,
 * so every model sees the same touches and its credits sum to the number of conversions.
 */
export async function attribution(reader: Reader, input: AttributionRequest): Promise<AttributionResult> {
  const req = attributionRequest.parse(input)
  const q: TouchQuery = {
    project: req.project,
    from: req.from,
    to: req.to,
    lookbackMs: req.lookback * 1000,
    conversion: req.conversion,
    by: req.by,
  }
  const paths = await conversionPaths(reader, q)
  const models: AttributionModel[] = req.model === 'all' ? [...ATTRIBUTION_MODELS] : [req.model]
  const directKey = DIRECT_KEY[req.by]
  const totalRevenue = paths.reduce((s, c) => s + c.revenue, 0)
  const results: ModelResult[] = []
  for (const model of models) {
    const credits =
      model === 'markov'
        ? markovCredits(paths, await nullPaths(reader, q), directKey)
        : creditRule(model, paths, { halfLifeMs: req.halfLife * 1000, directKey })
    results.push(toResult(model, credits))
  }
  return { by: req.by, conversions: paths.length, revenue: totalRevenue, models: results }
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
      conversions: c.conversions,
      revenue: c.revenue,
      share: conversions > 0 ? c.conversions / conversions : 0,
    }))
    .sort((a, b) => b.conversions - a.conversions || a.key.localeCompare(b.key))
  return { model, rows, totals: { conversions, revenue } }
}

async function conversionPaths(reader: Reader, q: TouchQuery): Promise<ConversionPath[]> {
  const p = new QueryParams()
  const rows = await reader.rows<{
    at: unknown
    revenue: unknown
    touches: Array<[unknown, string, unknown]>
  }>(conversionPathsSql(p, q), p)
  return rows.map((r) => ({
    at: num(r.at),
    revenue: num(r.revenue),
    touches: r.touches.map(([at, key, direct]) => ({ at: num(at), key, direct: Boolean(num(direct)) })),
  }))
}

async function nullPaths(reader: Reader, q: TouchQuery): Promise<NullPath[]> {
  const p = new QueryParams()
  const rows = await reader.rows<{ keys: string[]; people: unknown }>(nullPathsSql(p, q), p)
  return rows.map((r) => ({ keys: r.keys, people: num(r.people) }))
}
