import { retryRejectedRequest } from '@touchpoint/analytics'
import type { ClickHouse } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import { parseBody, TpError } from '../errors'
import type { EventProcessor } from '../ingest/process'
import { retryRejected } from '../ingest/retry-rejected'
import type { OutboundRecord } from '../pipeline/sink'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface RetryRoutesOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
  processor: EventProcessor
  /** the ingest routes' durable append (a full or failing spool is their 503) */
  append: (records: OutboundRecord[]) => Promise<void>
}

/**
 * POST /api/rejected/retry (admin key): the calls the collector refused in a range, by their fields or by the
 * project's tracking plan, sent through its checks again (ingest/retry-rejected.ts). Answers once those now
 * accepted are durable, with how many were, and why the rest are still refused; `dryRun` only counts.
 */
export const retryRoutes: FastifyPluginAsync<RetryRoutesOptions> = async (app, opts) => {
  app.addHook('onRequest', requireAdmin(opts.registry))
  app.post('/api/rejected/retry', async (req) => {
    const raw = (req.body ?? {}) as Record<string, unknown>
    const project = typeof raw.project === 'string' ? opts.registry.byId(raw.project) : undefined
    const body = parseBody(retryRejectedRequest, { ...(project && { timezone: project.timezone }), ...raw })
    if (!project) throw new TpError('TP_ERR_UNKNOWN_PROJECT', `No project ${body.project}`, 'project')
    if (!opts.ch) throw new TpError('TP_ERR_NO_STORAGE')
    const result = await retryRejected({
      ch: opts.ch,
      processor: opts.processor,
      registry: opts.registry,
      project: body.project,
      from: body.from,
      to: body.to,
      ...(!body.dryRun && { append: opts.append }),
    })
    req.log.info(
      { reqId: req.id, project: body.project, dryRun: body.dryRun, ...result, reasons: undefined },
      'refused calls retried',
    )
    return { project: body.project, dryRun: body.dryRun, ...result }
  })
}
