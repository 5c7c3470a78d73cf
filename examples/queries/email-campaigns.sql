-- Email campaigns: sends, unique human opens and clicks, and the rates (as /api/reports/email, without the
-- conversions). Machine opens (Apple Mail Privacy Protection and the like) and scanner clicks are counted apart.
SELECT campaign,
    uniqExactIf((recipient, email_id), name = 'Email Sent') AS sent,
    uniqExactIf((recipient, email_id), name = 'Email Opened' AND NOT machine) AS unique_opens,
    countIf(name = 'Email Opened' AND machine) AS machine_opens,
    uniqExactIf((recipient, email_id), name = 'Email Clicked' AND NOT scanner) AS unique_clicks,
    countIf(name = 'Email Clicked' AND scanner) AS scanner_clicks,
    round(unique_opens / sent, 4) AS open_rate,
    round(unique_clicks / sent, 4) AS click_rate,
    round(unique_clicks / unique_opens, 4) AS click_to_open_rate
FROM (
    SELECT event_id, any(event) AS name, any(user_id) AS recipient,
        any(JSONExtractString(properties, 'campaignId')) AS campaign,
        any(JSONExtractString(properties, 'emailId')) AS email_id,
        any(JSONExtractBool(properties, 'machine')) AS machine,
        any(JSONExtractBool(properties, 'scanner')) AS scanner
    FROM events
    WHERE project_id = {project:String} AND event IN ('Email Sent', 'Email Opened', 'Email Clicked')
      AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
    GROUP BY event_id
)
GROUP BY campaign
ORDER BY campaign
