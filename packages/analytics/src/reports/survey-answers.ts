import { EVENT_NAMES } from '@touchpoint/schema'
import { EVENT_COLUMNS } from '../columns'
import type { QueryParams } from '../params'
import { eventsWithPerson } from '../people'

/**
 * An NPS answer is a `Survey Answered` event whose properties say `type: "nps"` and whose `answer` is a number
 * from 0 to 10 (the server SDK's surveyAnswered helper writes exactly this).
 */
export const NPS_ANSWER = `(JSONExtractString(properties, 'type') = 'nps'
  AND JSONType(properties, 'answer') IN ('Int64', 'UInt64', 'Double')
  AND JSONExtractFloat(properties, 'answer') BETWEEN 0 AND 10)`

export const NPS_SCORE = `JSONExtractFloat(properties, 'answer')`

/**
 * The `Survey Answered` events of a range, of one survey when it is named, each with the person it resolves to:
 * what the NPS and the survey reports read.
 */
export function surveyAnswersSql(
  p: QueryParams,
  req: { project: string; from: Date; to: Date; survey?: string | undefined },
): string {
  const where = [`e.event = ${p.add(EVENT_NAMES.surveyAnswered, 'String')}`]
  if (req.survey) where.push(`JSONExtractString(e.properties, 'survey') = ${p.add(req.survey, 'String')}`)
  return eventsWithPerson(
    p,
    { project: req.project, from: req.from, to: req.to, where: where.join(' AND ') },
    EVENT_COLUMNS,
  )
}
