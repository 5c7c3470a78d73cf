-- An A/B test's variants, as POST /api/reports/experiment counts them: each person at their first exposure in the
-- range (Experiment Viewed with experimentId and variationId; the API also reads Segment's experiment_id and
-- variation_id), in the variant shown then; the people shown more than one variant in a row of their own,
-- '(mixed)', which the API leaves out of every variant. Who of them converted within {window} seconds of that
-- first exposure (even past the range's end), their conversions and their revenue as sent (the API converts it
-- with an exchange), and the revenue per person shown the variant. The significance is the API's (or any
-- two-proportion test of `converted` of `people`).
-- clickhouse client --param_project=shop --param_from='2026-11-01 00:00:00' --param_to='2026-12-01 00:00:00' \
--   --param_experiment=one-page-checkout --param_conversion='Order Completed' --param_window=1209600 \
--   --queries-file examples/queries/experiment.sql
WITH idmap AS (
    SELECT anonymous_id, user_id AS mapped_user
    FROM identities WHERE project_id = {project:String}
    ORDER BY anonymous_id, linked_at, user_id
    LIMIT 1 BY anonymous_id
),
exposures AS (
    SELECT person, argMin(shown, timestamp) AS variant, min(timestamp) AS first_seen, uniqExact(shown) AS variants
    FROM (
        SELECT if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id)) AS person,
            if(JSONType(e.properties, 'variationId') = 'String', JSONExtractString(e.properties, 'variationId'),
                JSONExtractRaw(e.properties, 'variationId')) AS shown,
            e.timestamp AS timestamp
        FROM events AS e LEFT JOIN idmap AS m ON m.anonymous_id = e.anonymous_id
        WHERE e.project_id = {project:String} AND e.is_bot = 0 AND e.event = 'Experiment Viewed'
          AND JSONExtractString(e.properties, 'experimentId') = {experiment:String}
          AND e.timestamp >= {from:DateTime64(3)} AND e.timestamp < {to:DateTime64(3)}
    )
    GROUP BY person
),
conversions AS (
    -- each event id once: a retry not yet merged away counts once
    SELECT event_id, any(person) AS person, any(timestamp) AS at, toFloat64(ifNull(any(revenue), 0)) AS revenue
    FROM (
        SELECT if(e.user_id != '', e.user_id, if(m.mapped_user != '', m.mapped_user, e.anonymous_id)) AS person,
            e.event_id AS event_id, e.timestamp AS timestamp, e.revenue AS revenue
        FROM events AS e LEFT JOIN idmap AS m ON m.anonymous_id = e.anonymous_id
        WHERE e.project_id = {project:String} AND e.is_bot = 0 AND e.event = {conversion:String}
          AND e.timestamp >= {from:DateTime64(3)}
          AND e.timestamp <= {to:DateTime64(3)} + toIntervalSecond({window:UInt32})
    )
    GROUP BY event_id
)
SELECT variant, count() AS people, countIf(n > 0) AS converted, round(countIf(n > 0) / count(), 4) AS conversion_rate,
    sum(n) AS conversions, sum(rev) AS revenue, round(sum(rev) / count(), 2) AS revenue_per_person
FROM (
    SELECT x.person AS person, if(any(x.variants) > 1, '(mixed)', any(x.variant)) AS variant,
        countIf(c.at >= x.first_seen AND c.at <= x.first_seen + toIntervalSecond({window:UInt32})) AS n,
        sumIf(c.revenue, c.at >= x.first_seen AND c.at <= x.first_seen + toIntervalSecond({window:UInt32})) AS rev
    FROM exposures AS x LEFT JOIN conversions AS c ON c.person = x.person
    GROUP BY x.person
)
GROUP BY variant
ORDER BY variant
