import { AdSpendCurrencyError, adSpendRequest, type ClickHouse, insertAdSpend } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import { channelOf } from '../enrich/channel'
import { parseBody, TpError } from '../errors'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface AdSpendRoutesOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
}

/**
 * POST /api/ad-spend (admin key): what a project's ads cost, by day and UTM tags (`adSpendRequest`), stored with
 * the channel a visit with those tags is in, so attribution can set each key's cost beside the revenue credited
 * to it. Answers once ClickHouse has the rows: a day re-sent replaces what was stored for it.
 */
export const adSpendRoutes: FastifyPluginAsync<AdSpendRoutesOptions> = async (app, { ch, registry }) => {
  app.addHook('onRequest', requireAdmin(registry))
  app.post('/api/ad-spend', async (req) => {
    const body = parseBody(adSpendRequest, req.body)
    if (!registry.byId(body.project))
      throw new TpError('TP_ERR_UNKNOWN_PROJECT', `No project ${body.project}`, 'project')
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
    const rows = body.rows.map((r) => ({ ...r, channel: channelOf(r) }))
    try {
      const stored = await insertAdSpend(ch, body.project, rows)
      req.log.info({ reqId: req.id, project: body.project, rows: stored }, 'ad spend stored')
      return { project: body.project, received: rows.length, stored }
    } catch (err) {
      if (err instanceof AdSpendCurrencyError)
        throw new TpError('TP_ERR_INVALID_BODY', err.message, `rows[${err.index}].currency`)
      throw err
    }
  })
}
