import type { ClickHouse } from './client'
import { TABLES } from './tables'

/**
 * One person of a project, as erasure and export find them: by user id and every anonymous id linked to it, or
 * by the anonymous id of a visitor who never identified.
 */
export interface PersonRequest {
  project: string
  /** the person's user id; every anonymous id linked to it belongs to them too */
  userId: string
  /**
   * other user ids of the same person: the recipient id their emails carry, when `userId` is their email address
   * (recipientIdOf in @touchpoint/node)
   */
  alsoKnownAs?: string[] | undefined
}

/** What a person's rows are, table by table, as conditions on the query parameters in `params`. */
export interface PersonScope {
  /** the person's user ids: `userId` and the ids it is also known as */
  userIds: string[]
  /**
   * the anonymous ids found linked to the user (identities, or events carrying both ids), and a user id that is
   * itself an anonymous id (a visitor who never identified), sorted
   */
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
  const userIds = [...new Set([req.userId, ...(req.alsoKnownAs ?? [])])]
  const params = { project: req.project, users: userIds }
  // the anonymous ids linked to the user ids, and any of the ids that is itself an anonymous id: a visitor who
  // never identified is named by the id their browser kept
  const links = await ch.client.query({
    query: `SELECT DISTINCT anonymous_id FROM (
              SELECT anonymous_id FROM ${TABLES.identities}
              WHERE project_id = {project:String}
                AND (has({users:Array(String)}, user_id) OR has({users:Array(String)}, anonymous_id))
              UNION ALL
              SELECT anonymous_id FROM ${TABLES.events}
              WHERE project_id = {project:String}
                AND (has({users:Array(String)}, user_id) OR has({users:Array(String)}, anonymous_id))
            ) WHERE anonymous_id != ''`,
    query_params: params,
    format: 'JSONEachRow',
  })
  const anonymousIds = (await links.json<{ anonymous_id: string }>()).map((r) => r.anonymous_id).sort()
  // the raw payload of a refused call is JSON: the person is named there as a JSON string
  const needles = [...userIds, ...anonymousIds].map((id) => JSON.stringify(id))
  return {
    userIds,
    anonymousIds,
    params: { ...params, anons: anonymousIds, needles },
    byPerson: `project_id = {project:String}
      AND (has({users:Array(String)}, user_id) OR has({anons:Array(String)}, anonymous_id))`,
    refused: `project_id = {project:String} AND arrayExists(n -> position(raw, n) > 0, {needles:Array(String)})`,
    // cityHash64 of an id is its stored hash
    sessionParts: `project_id = {project:String}
      AND (has(arrayMap(u -> cityHash64(u), {users:Array(String)}), user_id_hash)
        OR has(arrayMap(a -> cityHash64(a), {anons:Array(String)}), anonymous_id_hash))`,
  }
}
