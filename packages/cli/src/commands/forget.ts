import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createClickHouse, type ErasureResult, erasePerson } from '@touchpoint/clickhouse'
import type { CliConfig } from '../config'
import { postToCollector } from './collector-api'

const USAGE = 'usage: touchpoint forget --user USER_ID [--project dev] [--json]'

/**
 * `touchpoint forget --user ID`: GDPR erasure. Asks the running collector (/api/forget, admin key); with
 * CLICKHOUSE_URL, or when no collector answers, erases in ClickHouse itself.
 */
export async function forgetCommand(config: CliConfig, args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      project: { type: 'string', default: 'dev' },
      json: { type: 'boolean', default: false },
    },
  })
  if (!values.user) throw new Error(USAGE)
  const req = { project: values.project, userId: values.user }
  let result: ErasureResult | undefined
  if (!config.clickhouse.url) result = await postToCollector<ErasureResult>(config, '/api/forget', req)
  if (!result) {
    const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
    try {
      result = await erasePerson(ch, req)
    } finally {
      await ch.close()
    }
  }
  if (values.json) return `${JSON.stringify(result, null, 2)}\n`
  const d = result.deleted
  const linked = result.anonymousIds.length ? ` and ${result.anonymousIds.length} linked anonymous id(s)` : ''
  return `erased ${result.userId}${linked} in project ${result.project}: ${d.events} events, ${d.sessionParts} session parts, ${d.identities} identity links, ${d.rejected} refused calls\n`
}
