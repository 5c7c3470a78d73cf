-- Every survey question in the range: responses, the mean of numeric answers, and for CSAT on 1–5 the share of 4
-- and 5; each person once a question with their latest answer (as /api/reports/survey, which also gives the
-- spread of the answers and a text question's latest ones).
SELECT survey, question, argMax(qtype, at) AS type, count() AS responses,
    if(countIf(numeric) > 0, round(avgIf(toFloat64OrZero(raw), numeric), 2), NULL) AS average,
    if(type = 'csat' AND countIf(numeric) > 0
        AND countIf(numeric AND toFloat64OrZero(raw) BETWEEN 1 AND 5) = countIf(numeric),
       round(countIf(numeric AND toFloat64OrZero(raw) >= 4) / countIf(numeric), 4), NULL) AS satisfied
FROM (
    SELECT JSONExtractString(properties, 'survey') AS survey, JSONExtractString(properties, 'question') AS question,
        if(user_id != '', user_id, anonymous_id) AS person, max(timestamp) AS at,
        argMax(JSONExtractString(properties, 'type'), timestamp) AS qtype,
        argMax(JSONExtractRaw(properties, 'answer'), timestamp) AS raw,
        argMax(JSONType(properties, 'answer') IN ('Int64', 'UInt64', 'Double'), timestamp) AS numeric
    FROM events
    WHERE project_id = {project:String} AND event = 'Survey Answered'
      AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
    GROUP BY survey, question, person
)
GROUP BY survey, question
ORDER BY survey, question
