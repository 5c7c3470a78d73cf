-- Support tickets by channel, as /api/reports/support counts them: a ticket is every Support Ticket Opened and
-- Resolved with its ticketId up to `to`, each event id once, opened at its first opening and resolved at its latest
-- resolution; it is open at `to` when an opening came after that, or it was never resolved. Its time to resolution
-- is the latest resolution's durationSeconds where the helpdesk sent it there, else from the first opening to the
-- latest resolution. Bots left out.
-- clickhouse client --param_project=shop --param_from='2026-11-01 00:00:00' --param_to='2026-12-01 00:00:00' \
--   --queries-file examples/queries/support-tickets.sql
SELECT channel,
    countIf(was_opened AND opened_at >= {from:DateTime64(3)}) AS opened,
    countIf(was_resolved AND resolved_at >= {from:DateTime64(3)}) AS resolved,
    countIf(was_opened AND (NOT was_resolved OR last_open > resolved_at)) AS open_at_end,
    quantileExactInclusiveIf(0.5)(duration,
        was_resolved AND resolved_at >= {from:DateTime64(3)} AND NOT isNaN(duration)) AS median_seconds
FROM (
    SELECT *,
        if(NOT isNaN(sent_duration), sent_duration,
            if(was_opened AND resolved_at >= opened_at, dateDiff('millisecond', opened_at, resolved_at) / 1000, nan))
            AS duration
    FROM (
        SELECT JSONExtractString(properties, 'ticketId') AS ticket,
            countIf(event = 'Support Ticket Opened') > 0 AS was_opened,
            minIf(timestamp, event = 'Support Ticket Opened') AS opened_at,
            maxIf(timestamp, event = 'Support Ticket Opened') AS last_open,
            countIf(event = 'Support Ticket Resolved') > 0 AS was_resolved,
            maxIf(timestamp, event = 'Support Ticket Resolved') AS resolved_at,
            argMinIf(JSONExtractString(properties, 'channel'), timestamp, event = 'Support Ticket Opened') AS channel,
            argMaxIf(ifNull(JSONExtract(properties, 'durationSeconds', 'Nullable(Float64)'), nan),
                timestamp, event = 'Support Ticket Resolved') AS sent_duration
        FROM (
            SELECT event_id, event, timestamp, properties
            FROM events
            WHERE project_id = {project:String} AND is_bot = 0 AND timestamp < {to:DateTime64(3)}
              AND event IN ('Support Ticket Opened', 'Support Ticket Resolved')
            LIMIT 1 BY event_id
        )
        GROUP BY ticket
        HAVING ticket != ''
    )
)
GROUP BY channel
HAVING opened + resolved + open_at_end > 0
ORDER BY opened DESC, resolved DESC, channel
