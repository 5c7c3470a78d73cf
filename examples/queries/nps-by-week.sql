-- Net Promoter Score per week: each person once per week with their latest answer (as /api/reports/nps).
-- NPS answers are `Survey Answered` events with properties.type = 'nps' and a numeric answer 0–10.
SELECT week, count() AS responses,
    round((countIf(score >= 9) - countIf(score < 7)) / count() * 100, 1) AS nps
FROM (
    SELECT toMonday(timestamp) AS week, if(user_id != '', user_id, anonymous_id) AS person,
        argMax(JSONExtractFloat(properties, 'answer'), timestamp) AS score
    FROM events
    WHERE project_id = {project:String} AND event = 'Survey Answered'
      AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
      AND JSONExtractString(properties, 'type') = 'nps'
      AND JSONType(properties, 'answer') IN ('Int64', 'UInt64', 'Double')
    GROUP BY week, person
)
GROUP BY week
ORDER BY week
