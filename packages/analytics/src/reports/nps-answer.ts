/**
 * An NPS answer is a `Survey Answered` event whose properties say `type: "nps"` and whose `answer` is a number
 * from 0 to 10 (the server SDK's surveyAnswered helper writes exactly this).
 */
export const NPS_ANSWER = `(JSONExtractString(properties, 'type') = 'nps'
  AND JSONType(properties, 'answer') IN ('Int64', 'UInt64', 'Double')
  AND JSONExtractFloat(properties, 'answer') BETWEEN 0 AND 10)`

export const NPS_SCORE = `JSONExtractFloat(properties, 'answer')`
