import { Readable } from 'node:stream'
import { type ClickHouse, erasePerson, exportPerson } from '@touchpoint/clickhouse'
import { recipientIdOf } from '@touchpoint/node'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { parseBody, TpError } from '../errors'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface PersonRoutesOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
}

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
export const personRoutes: FastifyPluginAsync<PersonRoutesOptions> = async (app, { ch, registry }) => {
  app.addHook('onRequest', requireAdmin(registry))
  // the person a request names: an email address also stands for the recipient id its emails carry
  const personOf = (req: FastifyRequest) => {
    const body = parseBody(personRequest, req.body)
    const project = registry.byId(body.project)
    if (!project) throw new TpError('TP_ERR_UNKNOWN_PROJECT', `No project ${body.project}`, 'project')
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
    const recipientId = recipientIdOf(body.userId, project.email?.recipientSecret)
    return { body: { ...body, ...(recipientId && { alsoKnownAs: [recipientId] }) }, ch }
  }

  app.post('/api/forget', async (req) => {
    const { body, ch } = personOf(req)
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
    const { body, ch } = personOf(req)
    const { anonymousIds, lines } = await exportPerson(ch, body)
    req.log.info(
      { reqId: req.id, project: body.project, anonymousIds: anonymousIds.length },
      'person exported',
    )
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines))
  })
}
