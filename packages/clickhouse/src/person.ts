import type { ClickHouse } from './client'
import { TABLES } from './tables'

/** One person of a project, as erasure and export find them: by user id and every anonymous id linked to it. */
export interface PersonRequest {
  project: string
  /** the person's user id; every anonymous id linked to it belongs to them too */
  userId: string
}

/** What a person's rows are, table by table, as conditions on the query parameters in `params`. */
export interface PersonScope {
  /** the anonymous ids found linked to the user (identities, or events carrying both ids), sorted */
  anonymousIds: string[]
  params: Record<string, unknown>
  /** events and identity links with the user id or a linked anonymous id */
  byPerson: string
  /** refused calls whose raw payload names the user id or a linked anonymous id */
  refused: string
  /** session parts, which hold the ids' hashes only (migration 5) */
  sessionParts: string
}

/** Finds the anonymous ids linked to a person and the conditions that select their rows in each table. */
export async function personScope(ch: ClickHouse, req: PersonRequest): Promise<PersonScope> {
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
  return {
    anonymousIds,
    params: { ...params, anons: anonymousIds, needles },
    byPerson: `project_id = {project:String} AND (user_id = {user:String} OR has({anons:Array(String)}, anonymous_id))`,
    refused: `project_id = {project:String} AND arrayExists(n -> position(raw, n) > 0, {needles:Array(String)})`,
    // cityHash64 of an id is its stored hash
    sessionParts: `project_id = {project:String} AND (user_id_hash = cityHash64({user:String})
      OR has(arrayMap(a -> cityHash64(a), {anons:Array(String)}), anonymous_id_hash))`,
  }
}
