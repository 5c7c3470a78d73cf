-- Why events were refused, most frequent first.
SELECT error_code, JSONExtractString(arrayJoin(JSONExtractArrayRaw(reason)), 'path') AS field, count() AS n
FROM events_rejected
WHERE project_id = {project:String}
GROUP BY error_code, field
ORDER BY n DESC
LIMIT 50
