import { BACKUP_NAME, BackupRefused, backupNameNow, backupTo, type ClickHouse } from '@touchpoint/clickhouse'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { parseBody, TpError } from '../errors'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface BackupRoutesOptions {
  ch: ClickHouse | undefined
  registry: ProjectRegistry
}

export const backupRequest = z.object({
  name: z.string().regex(BACKUP_NAME, { error: 'letters, digits, _, . and -, at most 100' }).optional(),
})

/**
 * POST /api/backup (admin key): a copy of what the embedded engine stores, written by the collector that holds
 * it into `<data dir>/backups/<name>` (a name of the request's, or the time), as `touchpoint backup` asks for it
 * (@touchpoint/clickhouse backup.ts). Loading waits while it is written; what arrives meanwhile waits in the spool.
 */
export const backupRoutes: FastifyPluginAsync<BackupRoutesOptions> = async (app, { ch, registry }) => {
  app.addHook('onRequest', requireAdmin(registry))
  app.post('/api/backup', async (req) => {
    const body = parseBody(backupRequest, req.body ?? {})
    if (!ch) throw new TpError('TP_ERR_NO_STORAGE')
    try {
      const backup = await backupTo(ch, body.name ?? backupNameNow())
      req.log.info({ reqId: req.id, dir: backup.dir }, 'backup written')
      return backup
    } catch (err) {
      // a ClickHouse server (which has its own BACKUP), a name taken
      if (err instanceof BackupRefused) throw new TpError('TP_ERR_INVALID_BODY', err.message, err.field)
      throw err
    }
  })
}
