-- Subscriptions by plan, as /api/reports/subscriptions counts them: a subscription is every Subscription Started
-- and Cancelled with its subscriptionId up to `to`, each event id once; at an instant it is active when its latest
-- event before then is a start. Churned: active at `from` and not at `to`. Revenue a month (MRR): the latest
-- start's revenue over its interval (a year is 12 months, a week 7 of a month's 365.25 / 12 days, none a month),
-- summed as sent, in no one currency (`currencies` lists them). How the MRR moved from `from` to `to`: new
-- (first started in the range, active at its end), reactivated (active at the end only, started before), expansion
-- and contraction (active at both ends, at a higher or lower MRR), churned (active at the start only); the MRR at
-- the start plus the first four, less the last, is the MRR at the end. Bots left out.
-- clickhouse client --param_project=shop --param_from='2026-11-01 00:00:00' --param_to='2026-12-01 00:00:00' \
--   --queries-file examples/queries/subscriptions.sql
SELECT plan,
    countIf(active_from) AS active_at_start,
    countIf(any_s AND first_start >= {from:DateTime64(3)}) AS started,
    countIf(cancelled_in) AS cancelled,
    countIf(active_from AND NOT active_to) AS churned,
    countIf(active_to) AS active_at_end,
    round(sumIf(mrr_to, active_to), 2) AS mrr_at_end,
    round(sumIf(mrr_to, active_to AND first_start >= {from:DateTime64(3)}), 2) AS mrr_new,
    round(sumIf(mrr_to, active_to AND NOT active_from AND first_start < {from:DateTime64(3)}), 2) AS mrr_reactivated,
    round(sumIf(mrr_to - mrr_from, active_from AND active_to AND mrr_to > mrr_from), 2) AS mrr_expansion,
    round(sumIf(mrr_from - mrr_to, active_from AND active_to AND mrr_to < mrr_from), 2) AS mrr_contraction,
    round(sumIf(mrr_from, active_from AND NOT active_to), 2) AS mrr_churned,
    arraySort(groupUniqArrayIf(cur_to, active_to AND cur_to != '')) AS currencies
FROM (
    SELECT *,
        any_s_from AND (NOT any_c_from OR s_from > c_from) AS active_from,
        any_s AND (NOT any_c OR s_to > c_to) AS active_to,
        if(any_s, plan_s, plan_c) AS plan
    FROM (
        SELECT JSONExtractString(properties, 'subscriptionId') AS sub,
            countIf(started AND timestamp < {from:DateTime64(3)}) > 0 AS any_s_from,
            maxIf(timestamp, started AND timestamp < {from:DateTime64(3)}) AS s_from,
            countIf(NOT started AND timestamp < {from:DateTime64(3)}) > 0 AS any_c_from,
            maxIf(timestamp, NOT started AND timestamp < {from:DateTime64(3)}) AS c_from,
            countIf(started) > 0 AS any_s, maxIf(timestamp, started) AS s_to, minIf(timestamp, started) AS first_start,
            countIf(NOT started) > 0 AS any_c, maxIf(timestamp, NOT started) AS c_to,
            countIf(NOT started AND timestamp >= {from:DateTime64(3)}) > 0 AS cancelled_in,
            argMaxIf(JSONExtractString(properties, 'plan'), timestamp, started) AS plan_s,
            argMaxIf(JSONExtractString(properties, 'plan'), timestamp, NOT started) AS plan_c,
            argMaxIf(mrr, timestamp, started AND timestamp < {from:DateTime64(3)}) AS mrr_from,
            argMaxIf(mrr, timestamp, started) AS mrr_to,
            argMaxIf(currency, timestamp, started) AS cur_to
        FROM (
            SELECT event_id, event = 'Subscription Started' AS started, timestamp, properties, currency,
                JSONExtractString(properties, 'interval') AS period,
                toFloat64(ifNull(revenue, 0))
                    * multiIf(period = 'day', 365.25 / 12, period = 'week', 365.25 / 12 / 7, period = 'year', 1 / 12, 1.)
                    AS mrr
            FROM events
            WHERE project_id = {project:String} AND is_bot = 0 AND timestamp < {to:DateTime64(3)}
              AND event IN ('Subscription Started', 'Subscription Cancelled')
            LIMIT 1 BY event_id
        )
        GROUP BY sub
        HAVING sub != ''
    )
)
GROUP BY plan
HAVING active_at_start + started + cancelled + active_at_end > 0
ORDER BY active_at_end DESC, active_at_start DESC, plan
