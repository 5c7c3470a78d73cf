-- Email campaigns: sends, unique human opens and clicks, what the email service reported (bounces, spam reports,
-- unsubscribes), and the rates (as /api/reports/email, without the conversions). Machine opens (Apple Mail Privacy
-- Protection and the like) and scanner clicks are counted apart. Each count is of distinct emails; a rate over
-- nothing (no sends recorded, no opens) is NULL.
SELECT campaign,
    uniqExactIf((recipient, email_id), name = 'Email Sent') AS sent,
    uniqExactIf((recipient, email_id), name = 'Email Opened' AND NOT machine) AS unique_opens,
    countIf(name = 'Email Opened' AND machine) AS machine_opens,
    uniqExactIf((recipient, email_id), name = 'Email Clicked' AND NOT scanner) AS unique_clicks,
    countIf(name = 'Email Clicked' AND scanner) AS scanner_clicks,
    uniqExactIf((recipient, email_id), name = 'Email Bounced') AS bounces,
    uniqExactIf((recipient, email_id), name = 'Email Bounced' AND bounce_type = 'hard') AS hard_bounces,
    uniqExactIf((recipient, email_id), name = 'Email Marked as Spam') AS spam_reports,
    uniqExactIf((recipient, email_id), name = 'Email Unsubscribed') AS unsubscribes,
    round(unique_opens / nullIf(sent, 0), 4) AS open_rate,
    round(unique_clicks / nullIf(sent, 0), 4) AS click_rate,
    round(unique_clicks / nullIf(unique_opens, 0), 4) AS click_to_open_rate,
    round(bounces / nullIf(sent, 0), 4) AS bounce_rate,
    round(spam_reports / nullIf(sent, 0), 4) AS spam_rate,
    round(unsubscribes / nullIf(sent, 0), 4) AS unsubscribe_rate
FROM (
    SELECT event_id, any(event) AS name, any(user_id) AS recipient,
        any(JSONExtractString(properties, 'campaignId')) AS campaign,
        any(JSONExtractString(properties, 'emailId')) AS email_id,
        any(JSONExtractBool(properties, 'machine')) AS machine,
        any(JSONExtractBool(properties, 'scanner')) AS scanner,
        any(JSONExtractString(properties, 'bounceType')) AS bounce_type
    FROM events
    WHERE project_id = {project:String}
      AND event IN ('Email Sent', 'Email Opened', 'Email Clicked', 'Email Bounced', 'Email Marked as Spam',
        'Email Unsubscribed')
      AND timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
    GROUP BY event_id
)
GROUP BY campaign
ORDER BY campaign
