-- Sessions that began in the range, by the channel of their first event, with their visitors (people, identity
-- resolved), the sessions that converted, and the conversions and revenue in them. The same answer as POST
-- /api/reports/traffic by "channel" (which reads the session_parts table kept as events arrive; this reads the
-- events). Parameters: project, from, to, conversion (event name).
WITH
idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
),
sessions AS (
    -- of events in the same millisecond, one with a channel comes before Direct; a session is read from a day
    -- before the range, so that one that began then is not taken for one that began in it
    SELECT session_id,
        argMin((if(channel = '', 'Direct', channel), anonymous_id, user_id), (timestamp, channel IN ('', 'Direct'))) AS x,
        min(timestamp) AS start_at
    FROM events
    WHERE project_id = {project:String} AND is_bot = 0 AND session_id != ''
      AND timestamp >= {from:DateTime64(3)} - INTERVAL 1 DAY AND timestamp < {to:DateTime64(3)}
    GROUP BY session_id
    HAVING start_at >= {from:DateTime64(3)}
),
conv AS (
    SELECT sid AS session_id, count() AS n, sum(revenue) AS revenue
    FROM (
        SELECT event_id, any(session_id) AS sid, toFloat64(ifNull(any(revenue), 0)) AS revenue
        FROM events
        WHERE project_id = {project:String} AND is_bot = 0 AND session_id != '' AND event = {conversion:String}
          AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
        GROUP BY event_id
    )
    GROUP BY sid
)
SELECT s.x.1 AS channel, count() AS sessions,
    uniqExact(if(s.x.3 != '', s.x.3, if(m.mapped_user != '', m.mapped_user, s.x.2))) AS visitors,
    countIf(c.n > 0) AS converting_sessions, sum(c.n) AS conversions, round(sum(c.revenue), 2) AS revenue
FROM sessions AS s
LEFT JOIN idmap AS m ON m.anonymous_id = s.x.2
LEFT JOIN conv AS c ON c.session_id = s.session_id
GROUP BY channel
ORDER BY sessions DESC, channel
