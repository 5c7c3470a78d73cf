-- Orders, revenue, average order value and repeat-purchase rate (as /api/reports/orders), each order id once.
-- Revenue is summed as sent, in no one currency: `currencies` lists those it adds up. With more than one, add
-- `AND currency = 'EUR'` to the WHERE for one of them.
SELECT sum(n) AS orders, round(sum(r), 2) AS revenue, round(sum(r) / sum(n), 2) AS average_order_value,
    count() AS customers, round(countIf(n >= 2) / count(), 4) AS repeat_purchase_rate,
    arraySort(arrayDistinct(arrayFlatten(groupArray(curs)))) AS currencies
FROM (
    SELECT person, count() AS n, sum(rev) AS r, groupUniqArrayIf(cur, cur != '') AS curs
    FROM (
        SELECT event_id, any(if(user_id != '', user_id, anonymous_id)) AS person,
            toFloat64(ifNull(any(revenue), 0)) AS rev, any(currency) AS cur
        FROM events
        WHERE project_id = {project:String} AND event = 'Order Completed'
          AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
        GROUP BY event_id
    )
    GROUP BY person
)
