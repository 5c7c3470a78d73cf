import type { PlanCheckResult, PlanResult } from '@touchpoint/analytics'
import { counted, formatTable } from '../table'
import { second } from './report-text'

const events = (n: number) => counted(n, 'event')

/** How the events keep to the tracking plan: the violations by event and field, the most first. */
export function planText(r: PlanResult): string {
  if (!r.rows.length)
    return 'no violations of the tracking plan in the range (a project without a trackingPlan has none)'
  const table = formatTable(
    r.rows.map((x) => ({
      event: x.event,
      field: x.field,
      stored: x.stored,
      refused: x.refused,
      'last seen (UTC)': second(x.lastSeen),
      'latest message': x.message,
    })),
  )
  const more = r.total.rows - r.rows.length
  const head = `${events(r.total.stored)} stored with a violation noted and ${events(r.total.refused)} refused by the tracking plan in the range`
  const read = `touchpoint sql "SELECT received_at, error_code, reason, raw FROM events_rejected WHERE error_code IN ('TP_PLAN_VIOLATION', 'TP_ERR_TRACKING_PLAN') ORDER BY received_at DESC LIMIT 20" reads the events themselves`
  return `${head}\n\n${table}\n\n${more > 0 ? `${more} more; --limit N lists more.\n` : ''}${read}`
}

/** A plan tried on the stored events: how many of them break it, and where. */
export function planCheckText(r: PlanCheckResult, plan: string): string {
  const head = `${r.breaking} of the ${r.checked} track and identify calls checked break ${plan}`
  if (!r.rows.length) return `${head}: it would refuse none of them`
  const table = formatTable(
    r.rows.map((x) => ({
      event: x.event,
      field: x.field,
      events: x.events,
      'what the plan says': x.message,
    })),
  )
  return `${head}; with "violations": "refuse" it would have refused them:\n\n${table}`
}
