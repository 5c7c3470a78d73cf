import { QueryParams } from '../params'
import { num, type Reader } from '../reader'
import { type SurveyRequest, surveyRequest } from '../requests'
import { surveyAnswersSql } from './survey-answers'

export interface SurveyQuestion {
  survey: string
  question: string
  /** the question's `type` (nps, csat, rating, choice, text), as its latest answer gave it; empty when not sent */
  type: string
  /** people who answered, each with their latest answer in the range */
  responses: number
  /** the mean of the numeric answers; null when none is a number */
  average: number | null
  /**
   * CSAT (a `csat` question answered on the usual 1–5 scale): the share of answers of 4 or 5. Null for other
   * questions, and for a csat question with an answer outside 1–5, whose scale is not known.
   */
  satisfied: number | null
  /**
   * How many people gave each answer (each option of a multiple choice counts), the most given first, 20 at most.
   * A question answered only with numbers lists them in the order of its scale, lowest first; an NPS question (0–10)
   * and a CSAT question on 1–5 list every point of the scale, 0 where nobody gave it.
   */
  answers: Array<{ answer: string; count: number }>
  /** a text question's latest answers (textAnswers of them), for reading what people said */
  latestText?: Array<{ timestamp: string; answer: string }>
}

export interface SurveyResult {
  questions: SurveyQuestion[]
}

const MAX_ANSWERS = 20
const NUMERIC = `('Int64', 'UInt64', 'Double')`

/**
 * Every survey question answered in the range (`Survey Answered`: survey, question, answer, type), with its
 * responses, the spread of its answers, its mean and, for CSAT, the share satisfied. Each person counts once a
 * question, with their latest answer, as in the NPS report (reports/nps.ts), which scores `nps` questions.
 */
export async function survey(reader: Reader, input: SurveyRequest): Promise<SurveyResult> {
  const req = surveyRequest.parse(input)
  const p = new QueryParams()
  const base = surveyAnswersSql(p, req)
  // each person's latest answer to each question: its JSON type, its raw JSON, and its options as text
  const latest = `latest AS (
    SELECT survey, question, person, argMax(qtype, timestamp) AS qtype, argMax(kind, timestamp) AS kind,
      argMax(raw, timestamp) AS raw, max(timestamp) AS at
    FROM (SELECT person, timestamp, JSONExtractString(properties, 'survey') AS survey,
        JSONExtractString(properties, 'question') AS question, JSONExtractString(properties, 'type') AS qtype,
        JSONType(properties, 'answer') AS kind, JSONExtractRaw(properties, 'answer') AS raw
      FROM (${base}) LIMIT 1 BY event_id)
    GROUP BY survey, question, person)`
  const options = `multiIf(kind = 'Array',
      arrayMap(x -> if(JSONType(x) = 'String', JSONExtractString(x), x), JSONExtractArrayRaw(raw)),
      kind = 'String', [JSONExtractString(raw)], [raw])`
  const questions = await reader.rows(
    `WITH ${latest}
    SELECT survey, question, argMax(qtype, at) AS type, count() AS responses,
      avgIf(toFloat64OrZero(raw), kind IN ${NUMERIC}) AS average, countIf(kind IN ${NUMERIC}) AS numeric,
      countIf(kind IN ${NUMERIC} AND toFloat64OrZero(raw) >= 4) AS top_two,
      countIf(kind IN ${NUMERIC} AND toFloat64OrZero(raw) BETWEEN 1 AND 5) AS on_scale
    FROM latest GROUP BY survey, question ORDER BY survey, question`,
    p,
  )
  const spread = await reader.rows(
    `WITH ${latest}
    SELECT survey, question, answer, count() AS n
    FROM latest ARRAY JOIN ${options} AS answer
    WHERE qtype != 'text'
    GROUP BY survey, question, answer ORDER BY survey, question, n DESC, answer LIMIT ${MAX_ANSWERS} BY survey, question`,
    p,
  )
  const texts = await reader.rows(
    `WITH ${latest}
    SELECT survey, question, toString(at) AS at, JSONExtractString(raw) AS answer
    FROM latest WHERE qtype = 'text' AND kind = 'String'
    ORDER BY survey, question, at DESC, person LIMIT ${p.add(req.textAnswers, 'UInt32')} BY survey, question`,
    p,
  )
  const key = (r: Record<string, unknown>) => `${r.survey}\0${r.question}`
  return {
    questions: questions.map((q) => {
      const numeric = num(q.numeric)
      const type = String(q.type)
      const csat = type === 'csat' && numeric > 0 && num(q.on_scale) === numeric
      const question: SurveyQuestion = {
        survey: String(q.survey),
        question: String(q.question),
        type,
        responses: num(q.responses),
        average: numeric > 0 ? num(q.average) : null,
        satisfied: csat ? num(q.top_two) / numeric : null,
        answers: onScale(
          type,
          csat,
          spread.filter((a) => key(a) === key(q)).map((a) => ({ answer: String(a.answer), count: num(a.n) })),
        ),
      }
      if (type === 'text')
        question.latestText = texts
          .filter((t) => key(t) === key(q))
          .map((t) => ({ timestamp: String(t.at), answer: String(t.answer) }))
      return question
    }),
  }
}

/** The points of the scales the report knows: NPS answers 0–10, CSAT (as `satisfied` reads it) 1–5. */
const SCALES: Record<string, number[]> = {
  nps: Array.from({ length: 11 }, (_, i) => i),
  csat: [1, 2, 3, 4, 5],
}

/**
 * A question's answers as a reader of a rating expects them: all numbers, in the order of the scale (lowest first),
 * with every point of an NPS or CSAT scale that the answers keep to, nobody's counted 0. Any other answers keep
 * the order they came in (the most given first).
 */
function onScale(type: string, csat: boolean, answers: SurveyQuestion['answers']): SurveyQuestion['answers'] {
  const values = answers.map((a) => Number(a.answer))
  if (!answers.length || answers.some((a, i) => a.answer.trim() === '' || !Number.isFinite(values[i])))
    return answers
  const points = type === 'nps' || csat ? SCALES[type] : undefined
  const counts = new Map(values.map((v, i) => [v, answers[i]!.count]))
  if (points && values.every((v) => points.includes(v)))
    return points.map((v) => ({ answer: String(v), count: counts.get(v) ?? 0 }))
  return answers
    .map((a, i) => ({ a, v: values[i]! }))
    .sort((x, y) => x.v - y.v)
    .map((x) => x.a)
}
