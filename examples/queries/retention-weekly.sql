-- Do people come back: the people first active (ever, identity resolved) in the range, by the week of their first
-- activity (from Monday, UTC), and how many of them were active in each week since, up to `to` (week 0 is their
-- first: all of them). Activity is every event a person made; their emails' sends, opens and clicks are not theirs
-- to count. The same answer as POST /api/reports/retention with interval "week" in UTC, whose `event` narrows the
-- activity (to `Order Completed` for repeat purchases, say). Parameters: project, from, to.
WITH
idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
),
activity AS (
    SELECT if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id)) AS person,
        e.timestamp AS t
    FROM events AS e LEFT JOIN idmap AS m ON m.anonymous_id = e.anonymous_id
    WHERE e.project_id = {project:String} AND e.is_bot = 0 AND e.timestamp < {to:DateTime64(3)}
      AND e.source != 'email' AND e.event != 'Email Sent'
),
people AS (
    SELECT person, min(t) AS first_at, toMonday(first_at, 'UTC') AS cohort, groupUniqArray(toMonday(t, 'UTC')) AS weeks
    FROM activity
    GROUP BY person
    HAVING first_at >= {from:DateTime64(3)}
)
SELECT cohort, dateDiff('week', cohort, week) AS week_number, count() AS people
FROM people ARRAY JOIN weeks AS week
GROUP BY cohort, week_number
ORDER BY cohort, week_number
