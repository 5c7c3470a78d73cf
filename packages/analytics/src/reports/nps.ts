import { fieldExpr } from '../fields'
import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import { type NpsRequest, npsRequest } from '../requests'
import { PERIOD_START } from '../zone'
import { NPS_ANSWER, NPS_SCORE, surveyAnswersSql } from './survey-answers'

export interface NpsScore {
  /** % promoters (9–10) − % detractors (0–6), −100 to 100. */
  score: number
  responses: number
  promoters: number
  passives: number
  detractors: number
}

export interface NpsResult extends NpsScore {
  series: Array<NpsScore & { period: string }>
  segments?: Array<NpsScore & { segment: string }>
}

/**
 * Net Promoter Score over time and by segment. Each person counts once per bucket, with their latest answer in
 * it (a person who answers twice in a week is one response that week).
 */
export async function nps(reader: Reader, input: NpsRequest): Promise<NpsResult> {
  const req = npsRequest.parse(input)
  const p = new QueryParams()
  const base = surveyAnswersSql(p, req)
  const seg = req.segment ? fieldExpr(req.segment, p) : `''`
  const tz = p.add(req.timezone, 'String')
  const a = `a AS (SELECT person, timestamp AS t, ${NPS_SCORE} AS score, ${seg} AS seg
    FROM (${base}) WHERE ${NPS_ANSWER} LIMIT 1 BY event_id)`
  const scored = (bucket: string) => `SELECT bucket, count() AS responses, countIf(score >= 9) AS promoters,
      countIf(score >= 7 AND score < 9) AS passives, countIf(score < 7) AS detractors
    FROM (SELECT ${bucket} AS bucket, person, argMax(score, t) AS score FROM a GROUP BY bucket, person)
    GROUP BY bucket ORDER BY bucket`
  const toScore = (r: Record<string, unknown>): NpsScore => {
    const responses = num(r.responses)
    const promoters = num(r.promoters)
    const detractors = num(r.detractors)
    return {
      score: responses > 0 ? ((promoters - detractors) / responses) * 100 : 0,
      responses,
      promoters,
      passives: num(r.passives),
      detractors,
    }
  }
  const [overall] = await reader.rows(`WITH ${a} ${scored("''")}`, p)
  const series = await reader.rows(
    `WITH ${a} ${scored(`toString(${PERIOD_START[req.interval]}(t, ${tz}))`)}`,
    p,
  )
  const result: NpsResult = {
    ...toScore(overall ?? {}),
    series: series.map((r) => ({ period: String(r.bucket), ...toScore(r) })),
  }
  if (req.segment) {
    const segments = await reader.rows(`WITH ${a} ${scored('seg')}`, p)
    result.segments = segments.map((r) => ({ segment: String(r.bucket), ...toScore(r) }))
  }
  return result
}
