import { type ClickHouse, QueryRefused, refuseFileWrites } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { parseBody, queryError, TpError } from '../errors'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

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
 * writes, DDL and setting changes are refused by ClickHouse itself, and within the bounds on read-only queries
 * (SQL_MAX_*), so that no query can take the collector's memory or hold its engine for long.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, { ch, registry }) => {
  app.addHook('onRequest', requireAdmin(registry))

  app.post('/api/sql', async (req) => {
    const parsed = parseBody(sqlRequest, req.body)
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
    const query = parsed.query.trim().replace(/;+\s*$/, '')
    try {
      await refuseFileWrites(ch, query)
      const rs = await ch.readonly.query({
        query,
        query_params: parsed.params ?? {},
        format: 'JSONEachRow',
        clickhouse_settings: ch.readonlySettings,
      })
      return { rows: await rs.json() }
    } catch (err) {
      if (err instanceof QueryRefused) throw new TpError('TP_ERR_SQL', err.message, 'query')
      throw queryError(err, 'TP_ERR_SQL') ?? err
    }
  })
}
