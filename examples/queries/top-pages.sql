-- The pages of a site: each path's page views, its visitors (people, identity resolved), the sessions that entered
-- and left by it, the share of those entries that viewed no other page (bounce rate), and, from tp.js's Page Left
-- events, the median seconds it was visible and how far down it was scrolled (mean, %). A session is its page
-- views in the range. The same answer as POST /api/reports/pages. Parameters: project, from, to.
WITH
idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
),
views AS (
    -- each page view once: a retried event is stored twice until ClickHouse merges it away
    SELECT event_id, any(path) AS path, any(session_id) AS sid, any(timestamp) AS at,
        any(if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id))) AS person
    FROM events AS e LEFT JOIN idmap AS m ON m.anonymous_id = e.anonymous_id
    WHERE e.project_id = {project:String} AND e.is_bot = 0 AND e.event = 'Page Viewed'
      AND e.timestamp >= {from:DateTime64(3)} AND e.timestamp < {to:DateTime64(3)}
    GROUP BY event_id
),
sessions AS (
    SELECT argMin(path, at) AS entry, argMax(path, at) AS exit, count() = 1 AS bounced
    FROM views WHERE sid != '' GROUP BY sid
),
entries AS (SELECT entry AS path, count() AS entries, countIf(bounced) AS bounces FROM sessions GROUP BY entry),
exits AS (SELECT exit AS path, count() AS exits FROM sessions GROUP BY exit),
engagement AS (
    SELECT path, quantileExactInclusive(0.5)(visible_ms) / 1000 AS visible_s, avg(scrolled) AS scrolled
    FROM (
        SELECT event_id, any(path) AS path,
            any(JSONExtract(properties, 'engagedMs', 'Nullable(Float64)')) AS ms, if(ms >= 0, ms, NULL) AS visible_ms,
            any(JSONExtract(properties, 'scrollDepth', 'Nullable(Float64)')) AS depth, if(depth >= 0, depth, NULL) AS scrolled
        FROM events
        WHERE project_id = {project:String} AND is_bot = 0 AND event = 'Page Left'
          AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
        GROUP BY event_id
    )
    GROUP BY path
)
SELECT v.path AS path, count() AS views, uniqExact(person) AS visitors,
    any(n.entries) AS entries, round(if(entries > 0, any(n.bounces) / entries, 0), 4) AS bounce_rate,
    any(x.exits) AS exits, round(exits / views, 4) AS exit_rate,
    round(any(g.visible_s), 1) AS median_visible_s, round(any(g.scrolled), 1) AS mean_scroll_depth
FROM views AS v
LEFT JOIN entries AS n ON n.path = v.path
LEFT JOIN exits AS x ON x.path = v.path
LEFT JOIN engagement AS g ON g.path = v.path
GROUP BY path
ORDER BY views DESC, path
