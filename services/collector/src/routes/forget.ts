import { type ClickHouse, erasePerson } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { parseBody, TpError } from '../errors'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface ForgetOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
}

export const forgetRequest = z.object({
  project: z.string().min(1).max(64),
  userId: z.string().min(1).max(255),
})

/**
 * POST /api/forget: GDPR erasure of one person (their events, identity links and refused calls naming them),
 * behind the admin key. Answers once ClickHouse has rewritten the data without them.
 */
export const forgetRoutes: FastifyPluginAsync<ForgetOptions> = async (app, { ch, registry }) => {
  app.addHook('onRequest', requireAdmin(registry))
  app.post('/api/forget', async (req) => {
    const body = parseBody(forgetRequest, req.body)
    if (!registry.byId(body.project))
      throw new TpError('TP_ERR_UNKNOWN_PROJECT', `No project ${body.project}`, 'project')
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
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
}
