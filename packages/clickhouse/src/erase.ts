import type { ClickHouse } from './client'
import { recordErasure } from './erasures'
import { ddlContext } from './migrations/ddl'
import { type PersonRequest, personScope } from './person'
import { TABLES } from './tables'

/** One person of a project: their user id, and with it every anonymous id linked to it. */
export type ErasureRequest = PersonRequest

export interface ErasureResult {
  project: string
  userId: string
  /** every user id erased: `userId`, and the recipient id of an email address (PersonRequest.alsoKnownAs) */
  userIds: string[]
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
 * The ids go to the erasure ledger first (recordErasure), so that what reaches a loader afterwards of the person,
 * received before the erasure, is left out: a spool loaded after a crash, or Kafka's topic read again.
 */
export async function erasePerson(ch: ClickHouse, req: ErasureRequest): Promise<ErasureResult> {
  const erasedAtMs = Date.now()
  const on = ddlContext(ch.cluster).onCluster
  const scope = await personScope(ch, req)
  const { anonymousIds } = scope
  await recordErasure(ch, req.project, [...scope.userIds, ...anonymousIds], erasedAtMs)
  // each kind of row erased: its table and the rows of the person; counted first, then deleted, in this order
  const erased: Array<[keyof ErasureResult['deleted'], string, string]> = [
    ['events', TABLES.events, scope.byPerson],
    ['identities', TABLES.identities, scope.byPerson],
    ['rejected', TABLES.rejected, scope.refused],
    ['sessionParts', TABLES.sessionParts, scope.sessionParts],
  ]
  const all = scope.params
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
  return { project: req.project, userId: req.userId, userIds: scope.userIds, anonymousIds, deleted }
}
