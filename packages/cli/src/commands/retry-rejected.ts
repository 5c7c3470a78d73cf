import { parseArgs } from 'node:util'
import type { CliConfig } from '../config'
import { counted } from '../table'
import { dateRange } from './analytics-args'
import { postToCollector } from './collector-api'

export const RETRY_USAGE =
  'usage: touchpoint retry-rejected [--project dev] [--from D] [--to D] [--timezone Z] [--dry-run] [--json]'

interface RetryAnswer {
  project: string
  dryRun: boolean
  examined: number
  accepted: number
  stillRefused: number
  reasons: Array<{ path: string; message: string; calls: number }>
  unreadable: number
}

/**
 * `touchpoint retry-rejected`: the calls the collector refused in a range (by their fields, or by the project's
 * tracking plan) sent through its checks again, after an upgrade or a plan put right (routes/retry-rejected.ts).
 * The running collector does it: it checks and stores the calls, so none answering is an error.
 */
export async function retryRejectedCommand(config: CliConfig, args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: 'string', default: 'dev' },
      from: { type: 'string' },
      to: { type: 'string' },
      timezone: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
  if (positionals.length) throw new Error(RETRY_USAGE)
  const range = dateRange(values.from, values.to)
  const answer = await postToCollector<RetryAnswer>(config, '/api/rejected/retry', {
    project: values.project,
    ...range,
    ...(values.timezone && { timezone: values.timezone }),
    dryRun: values['dry-run'],
  })
  if (!answer)
    throw new Error(
      `no collector answers at ${config.collectorUrl}: retrying refused calls needs the running collector, which checks and stores them (touchpoint start)`,
    )
  if (values.json) return `${JSON.stringify(answer, null, 2)}\n`
  return retryText(answer, range)
}

export function retryText(a: RetryAnswer, range: { from: string; to: string }): string {
  const would = a.dryRun ? 'would be accepted (a dry run: nothing stored)' : 'accepted and stored'
  const lines = [
    `${counted(a.examined, 'refused call')} of ${a.project} received from ${range.from} to ${range.to}: ${a.accepted} ${would}, ${a.stillRefused} still refused${a.unreadable ? `, ${a.unreadable} cut short when kept (no longer JSON)` : ''}`,
  ]
  if (a.reasons.length) {
    lines.push('Still refused, the commonest reasons first:')
    for (const r of a.reasons) lines.push(`  ${r.calls}  ${r.path || '(the call)'}: ${r.message}`)
  }
  return `${lines.join('\n')}\n`
}
