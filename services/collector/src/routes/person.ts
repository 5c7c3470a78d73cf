import { Readable } from 'node:stream'
import { type ClickHouse, erasePerson, exportPerson } from '@touchpoint/clickhouse'
import { recipientIdOf } from '@touchpoint/node'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { parseBody, TpError } from '../errors'
import type { Stored } from '../pipeline/sink'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface PersonRoutesOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
  /** resolves once what was acknowledged before is loaded (Sink.stored; the ingester's consumer caught up) */
  stored?: Stored
}

/** How long an erasure or an export waits for the spool's events to be loaded before it goes on without them. */
export const STORED_TIMEOUT_MS = 30_000

/** One person of a project. In a body, not a URL: a user id is often an email address, and URLs reach logs. */
export const personRequest = z.object({
  project: z.string().min(1).max(64),
  userId: z.string().min(1).max(255),
})

/**
 * A person's GDPR rights behind the admin key. POST /api/forget erases them (their events, identity links and
 * refused calls naming them) and answers once ClickHouse has rewritten the data without them. POST /api/export
 * streams the same rows as NDJSON (exportPerson), for a request of access or portability. A person named by their
 * email address is also found under the recipient id of their emails (the project's `email.recipientSecret`).
 */
export const personRoutes: FastifyPluginAsync<PersonRoutesOptions> = async (
  app,
  { ch, registry, stored },
) => {
  app.addHook('onRequest', requireAdmin(registry))
  // the person a request names: an email address also stands for the recipient id its emails carry. In embedded
  // mode, what the collector acknowledged before the request is loaded first: an account deleted with a last event
  // sent just before the erasure would otherwise come back when that event loaded a second later.
  const personOf = async (req: FastifyRequest) => {
    const body = parseBody(personRequest, req.body)
    const project = registry.byId(body.project)
    if (!project) throw new TpError('TP_ERR_UNKNOWN_PROJECT', `No project ${body.project}`, 'project')
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
    if (stored && !(await stored(STORED_TIMEOUT_MS)))
      req.log.warn(
        { reqId: req.id, waitedMs: STORED_TIMEOUT_MS },
        'spooled events not loaded in time; going on with what is stored',
      )
    const recipientId = recipientIdOf(body.userId, project.email?.recipientSecret)
    return { body: { ...body, ...(recipientId && { alsoKnownAs: [recipientId] }) }, ch }
  }

  app.post('/api/forget', async (req) => {
    const { body, ch } = await personOf(req)
    const result = await erasePerson(ch, body)
    req.log.info(
      {
        reqId: req.id,
        project: body.project,
        deleted: result.deleted,
        anonymousIds: result.anonymousIds.length,
      },
      'person erased',
    )
    return result
  })

  app.post('/api/export', async (req, reply) => {
    const { body, ch } = await personOf(req)
    const { anonymousIds, lines } = await exportPerson(ch, body)
    req.log.info(
      { reqId: req.id, project: body.project, anonymousIds: anonymousIds.length },
      'person exported',
    )
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines))
  })
}
