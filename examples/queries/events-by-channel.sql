-- Events, people and order revenue by channel for one project and time range.
-- Run in ClickHouse (clickhouse client --param_project=shop --param_from='2026-11-01' --param_to='2026-12-01')
-- or through the collector: touchpoint sql "$(cat examples/queries/events-by-channel.sql)" --param project=shop ...
-- Revenue is the orders' (Order Completed, as orders.sql and attribution count it). Other events keep their own
-- value in the revenue column too, a checkout's or a cart's, and adding those up would count each sale again.
-- Calls from a server or an import that name no page (an order by phone, a store visit) have no channel: ''.
SELECT
    channel,
    count() AS events,
    uniqExact(if(user_id != '', user_id, anonymous_id)) AS people,
    sumIf(revenue, event = 'Order Completed') AS revenue
FROM events
WHERE project_id = {project:String}
  AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND is_bot = 0
GROUP BY channel
ORDER BY events DESC
