-- What each campaign's ads cost in the range, and what the visits they brought did: the sessions that began in the
-- range with that campaign on their first event, the conversions in them and their revenue, and the return on the
-- spend (revenue / cost). Spend (`touchpoint spend FILE.csv`) is each day's row as last sent (FINAL), of the days
-- from `from`'s to the one before `to`'s, summed as sent (`currencies` names them). Counted by session, as the
-- traffic report counts (its sessions, conversions and revenue by "campaign" are these); POST /api/attribution sets
-- the same cost beside each model's credits instead. Parameters: project, from, to, conversion (event name).
WITH
spend AS (
    SELECT if(campaign = '', '(none)', campaign) AS key, sum(toFloat64(cost)) AS cost, sum(clicks) AS clicks,
        arraySort(groupUniqArray(currency)) AS currencies
    FROM ad_spend FINAL
    WHERE project_id = {project:String}
      AND day >= toDate({from:DateTime64(3)}) AND day < toDate({to:DateTime64(3)})
    GROUP BY key
),
sessions AS (
    -- of events in the same millisecond, one with a channel comes before Direct; a session is read from a day
    -- before the range, so that one that began then is not taken for one that began in it
    SELECT session_id,
        argMin(if(utm_campaign = '', '(none)', utm_campaign), (timestamp, channel IN ('', 'Direct'))) AS key,
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
),
brought AS (
    SELECT s.key AS key, count() AS sessions, sum(c.n) AS conversions, sum(c.revenue) AS revenue
    FROM sessions AS s
    LEFT JOIN conv AS c ON c.session_id = s.session_id
    GROUP BY key
)
SELECT sp.key AS campaign, round(sp.cost, 2) AS cost, sp.clicks AS clicks, sp.currencies AS currencies,
    b.sessions AS sessions, b.conversions AS conversions, round(b.revenue, 2) AS revenue,
    if(sp.cost > 0, round(b.revenue / sp.cost, 2), NULL) AS roas
FROM spend AS sp
LEFT JOIN brought AS b ON b.key = sp.key
ORDER BY cost DESC, campaign
