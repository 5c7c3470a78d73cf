-- Who dropped out of a three-step ordered funnel after step {reached}: the people whose furthest step was that one,
-- as POST /api/funnel/people lists them with "outcome": "dropped" at step {reached} + 1. The same definitions as
-- funnel.sql (person, window, bots); the latest to enter first, with when they did.
-- clickhouse client --param_project=shop --param_from='2026-11-01 00:00:00' --param_to='2026-12-01 00:00:00' \
--   --param_window=604800 --param_step1='Page Viewed' --param_path1='/pricing' --param_step2='Signup Started' \
--   --param_step3='Signed Up' --param_reached=2 --queries-file examples/queries/funnel-dropped.sql
WITH idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
)
SELECT person, level AS steps_reached, entered_at
FROM (
    SELECT person,
        windowFunnel({window:UInt64} * 1000)(ts,
            event = {step1:String} AND path = {path1:String} AND timestamp < {to:DateTime64(3)},
            event = {step2:String},
            event = {step3:String}) AS level,
        minIf(timestamp, event = {step1:String} AND path = {path1:String} AND timestamp < {to:DateTime64(3)}) AS entered_at
    FROM (
        SELECT if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id)) AS person,
            toUInt64(toUnixTimestamp64Milli(e.timestamp)) AS ts, e.event AS event, e.path AS path, e.timestamp AS timestamp
        FROM events AS e LEFT JOIN idmap AS m ON m.anonymous_id = e.anonymous_id
        WHERE e.project_id = {project:String} AND e.is_bot = 0
          AND e.timestamp >= {from:DateTime64(3)}
          AND e.timestamp <= {to:DateTime64(3)} + toIntervalSecond({window:UInt64})
          AND e.event IN ({step1:String}, {step2:String}, {step3:String})
    )
    GROUP BY person
)
WHERE level = {reached:UInt8}
ORDER BY entered_at DESC, person
