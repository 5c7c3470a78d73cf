import type { ClickHouse } from './client'
import { ddlContext } from './migrations/ddl'
import { TABLES } from './tables'

export interface ErasureRequest {
  project: string
  /** the person's user id; every anonymous id linked to it goes too */
  userId: string
}

export interface ErasureResult {
  project: string
  userId: string
  /** the anonymous ids found linked to the user (identities, or events carrying both ids) */
  anonymousIds: string[]
  /** rows removed, counted just before the deletion */
  deleted: { events: number; identities: number; rejected: number; sessionParts: number }
}

/**
 * GDPR erasure of one person: their events (by user id and by every linked anonymous id), their identity links,
 * the session parts kept from their events, and refused calls whose raw payload names them. Runs as ClickHouse
 * mutations and waits for them to finish (mutations_sync = 2), so the parts are rewritten without the rows, not
 * merely masked.
 *
 * Events still on their way (in the collector's spool or in Kafka) land afterwards: run the erasure again once
 * the pipeline has drained, as docs/privacy.md says.
 */
export async function erasePerson(ch: ClickHouse, req: ErasureRequest): Promise<ErasureResult> {
  const on = ddlContext(ch.cluster).onCluster
  const params = { project: req.project, user: req.userId }
  const links = await ch.client.query({
    query: `SELECT DISTINCT anonymous_id FROM (
              SELECT anonymous_id FROM ${TABLES.identities} WHERE project_id = {project:String} AND user_id = {user:String}
              UNION ALL
              SELECT anonymous_id FROM ${TABLES.events} WHERE project_id = {project:String} AND user_id = {user:String}
            ) WHERE anonymous_id != ''`,
    query_params: params,
    format: 'JSONEachRow',
  })
  const anonymousIds = (await links.json<{ anonymous_id: string }>()).map((r) => r.anonymous_id).sort()
  // the raw payload of a refused call is JSON: the person is named there as a JSON string
  const needles = [req.userId, ...anonymousIds].map((id) => JSON.stringify(id))
  const byPerson = `project_id = {project:String} AND (user_id = {user:String} OR has({anons:Array(String)}, anonymous_id))`
  // each kind of row erased: its table and the rows of the person; counted first, then deleted, in this order
  const erased: Array<[keyof ErasureResult['deleted'], string, string]> = [
    ['events', TABLES.events, byPerson],
    ['identities', TABLES.identities, byPerson],
    [
      'rejected',
      TABLES.rejected,
      `project_id = {project:String} AND arrayExists(n -> position(raw, n) > 0, {needles:Array(String)})`,
    ],
    // the session parts hold the ids' hashes only (migration 5); cityHash64 of an id is its stored hash
    [
      'sessionParts',
      TABLES.sessionParts,
      `project_id = {project:String} AND (user_id_hash = cityHash64({user:String})
      OR has(arrayMap(a -> cityHash64(a), {anons:Array(String)}), anonymous_id_hash))`,
    ],
  ]
  const all = { ...params, anons: anonymousIds, needles }
  const deleted: ErasureResult['deleted'] = { events: 0, identities: 0, rejected: 0, sessionParts: 0 }
  for (const [kind, table, condition] of erased) {
    const rs = await ch.client.query({
      query: `SELECT count() AS n FROM ${table} WHERE ${condition}`,
      query_params: all,
      format: 'JSONEachRow',
    })
    deleted[kind] = Number((await rs.json<{ n: string }>())[0]?.n ?? 0)
  }
  for (const [, table, condition] of erased) {
    await ch.client.command({
      query: `ALTER TABLE ${table}${on} DELETE WHERE ${condition}`,
      query_params: all,
      clickhouse_settings: { mutations_sync: '2' },
    })
  }
  return { project: req.project, userId: req.userId, anonymousIds, deleted }
}
