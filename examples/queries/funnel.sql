-- A three-step ordered funnel, counted in people, exactly as POST /api/funnel counts it:
-- a person is the user id, else the user id linked to the anonymous id (earliest link), else the anonymous id;
-- step 1 in [from, to), later steps up to `window` seconds after step 1 (inclusive), bots left out.
-- clickhouse client --param_project=shop --param_from='2026-11-01 00:00:00' --param_to='2026-12-01 00:00:00' \
--   --param_window=604800 --param_step1='Page Viewed' --param_path1='/pricing' --param_step2='Signup Started' \
--   --param_step3='Signed Up' --queries-file examples/queries/funnel.sql
WITH idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
)
SELECT
    countIf(level >= 1) AS step1,
    countIf(level >= 2) AS step2,
    countIf(level >= 3) AS step3
FROM (
    SELECT person,
        windowFunnel({window:UInt64} * 1000)(ts,
            event = {step1:String} AND path = {path1:String} AND timestamp < {to:DateTime64(3)},
            event = {step2:String},
            event = {step3:String}) AS level
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
WHERE level > 0
