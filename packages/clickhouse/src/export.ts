import type { ClickHouse } from './client'
import { type PersonRequest, type PersonScope, personScope } from './person'
import { TABLES } from './tables'

/** The kinds of line an export holds after its first, each with one stored row. */
export type ExportKind = 'event' | 'identity' | 'refused'

/**
 * A person's data as NDJSON lines (GDPR access and portability): first the person (project, user id, every user
 * id looked under, the linked anonymous ids, when it was exported), then `{"kind":"event","row":{…}}` for each of
 * their events in time order, one `identity` line for each identity link, and one `refused` line for each refused
 * call that names them: the rows erasePerson removes, found the same way. Session parts are left out: they are
 * derived from the events and hold hashes of the ids only. A retried event stored twice and not yet merged is
 * listed once.
 */
export async function exportPerson(
  ch: ClickHouse,
  req: PersonRequest,
): Promise<{ anonymousIds: string[]; lines: AsyncGenerator<string> }> {
  // the person is looked up before the first line, so that a failure is an error and not a truncated export
  const scope = await personScope(ch, req)
  return { anonymousIds: scope.anonymousIds, lines: exportLines(ch, req, scope) }
}

async function* exportLines(ch: ClickHouse, req: PersonRequest, scope: PersonScope): AsyncGenerator<string> {
  yield `${JSON.stringify({
    kind: 'person',
    project: req.project,
    userId: req.userId,
    userIds: scope.userIds,
    anonymousIds: scope.anonymousIds,
    exportedAt: new Date().toISOString(),
  })}\n`
  const queries: Array<[ExportKind, string]> = [
    [
      'event',
      `SELECT * FROM ${TABLES.events} WHERE ${scope.byPerson} ORDER BY timestamp, event_id LIMIT 1 BY event_id`,
    ],
    [
      'identity',
      `SELECT anonymous_id, user_id, min(linked_at) AS linked_at, any(link_source) AS link_source
       FROM ${TABLES.identities} WHERE ${scope.byPerson}
       GROUP BY anonymous_id, user_id ORDER BY linked_at, anonymous_id`,
    ],
    ['refused', `SELECT * FROM ${TABLES.rejected} WHERE ${scope.refused} ORDER BY received_at, rejected_id`],
  ]
  for (const [kind, query] of queries) {
    const rs = await ch.client.query({ query, query_params: scope.params, format: 'JSONEachRow' })
    const head = `{"kind":"${kind}","row":`
    for await (const rows of rs.stream()) {
      let chunk = ''
      for (const row of rows) chunk += `${head}${row.text}}\n`
      if (chunk) yield chunk
    }
  }
}
