import type { ClickHouse } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { TpError } from '../errors'
import { bearerToken, type ProjectRegistry } from '../projects'

export interface AdminOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
}

export const sqlRequest = z.object({
  query: z.string().min(1).max(100_000),
  params: z.record(z.string(), z.unknown()).optional(),
})

/**
 * POST /api/sql: read-only SQL for operators and analysts, behind the admin key. Values travel as ClickHouse
 * query parameters ({name:Type} in the query, `params` in the body). Every query runs with readonly=1, so
 * writes, DDL and setting changes are refused by ClickHouse itself.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, { ch, registry }) => {
  app.addHook('onRequest', async (req) => {
    if (!registry.isAdminKey(bearerToken(req.headers.authorization)))
      throw new TpError('TP_ERR_ADMIN_UNAUTHORIZED')
  })

  app.post('/api/sql', async (req) => {
    const parsed = sqlRequest.safeParse(req.body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new TpError(
        'TP_ERR_INVALID_BODY',
        `${issue?.path.join('.') || 'body'}: ${issue?.message}`,
        issue?.path.join('.'),
      )
    }
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
    const query = parsed.data.query.trim().replace(/;+\s*$/, '')
    try {
      const rs = await ch.readonly.query({
        query,
        query_params: parsed.data.params ?? {},
        format: 'JSONEachRow',
        clickhouse_settings: ch.readonlySettings,
      })
      return { rows: await rs.json() }
    } catch (err) {
      const e = err as Error & { code?: string; type?: string }
      if (e.type !== undefined || e.code !== undefined) throw new TpError('TP_ERR_SQL', e.message, 'query')
      throw err
    }
  })
}
