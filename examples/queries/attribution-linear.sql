-- Linear attribution by channel: each conversion's credit split evenly over the person's touches that began in
-- the lookback window before it: sessions (channel of their first event) and human email clicks. A conversion
-- with no touch goes to Direct. The same answer as POST /api/attribution with model "linear", by "channel".
-- Parameters: project, from, to, conversion (event name), lookback (seconds).
WITH
idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
),
base AS (
    SELECT if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id)) AS person,
        e.event_id AS event_id, e.event AS event, e.timestamp AS timestamp, e.session_id AS session_id,
        e.channel AS channel, e.revenue AS revenue, e.properties AS properties
    FROM events AS e LEFT JOIN idmap AS m ON m.anonymous_id = e.anonymous_id
    WHERE e.project_id = {project:String} AND e.is_bot = 0
      AND e.timestamp >= {from:DateTime64(3)} - toIntervalSecond({lookback:UInt64} + 86400)
      AND e.timestamp < {to:DateTime64(3)}
),
sessions AS (
    -- the first event's channel; of events in the same millisecond, one with a channel comes before Direct
    SELECT person, min(timestamp) AS start_at,
        argMin(if(channel = '', 'Direct', channel), (timestamp, channel IN ('', 'Direct'))) AS channel
    FROM base WHERE session_id != '' GROUP BY person, session_id
    UNION ALL
    SELECT person, timestamp AS start_at, 'Email' AS channel
    FROM base WHERE event = 'Email Clicked' AND NOT JSONExtractBool(properties, 'scanner')
),
conv AS (
    SELECT event_id, any(person) AS person, any(timestamp) AS at, toFloat64(ifNull(any(revenue), 0)) AS revenue
    FROM base WHERE event = {conversion:String} AND timestamp >= {from:DateTime64(3)} GROUP BY event_id
),
paths AS (
    SELECT c.event_id, c.revenue AS revenue,
        groupArrayIf(s.channel, s.person != '' AND s.start_at <= c.at
            AND s.start_at >= c.at - toIntervalSecond({lookback:UInt64})) AS channels
    FROM conv AS c LEFT JOIN sessions AS s ON s.person = c.person
    GROUP BY c.event_id, c.revenue
)
SELECT channel, sum(credit) AS conversions, sum(credit * revenue) AS revenue
FROM (
    SELECT arrayJoin(if(empty(channels), ['Direct'], channels)) AS channel,
        1 / greatest(length(channels), 1) AS credit, revenue
    FROM paths
)
GROUP BY channel
ORDER BY conversions DESC
