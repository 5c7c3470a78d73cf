import type { Compared, FunnelPeopleResult, FunnelResult, FunnelStepResult } from '@touchpoint/analytics'
import {
  counted,
  formatCsv,
  formatTable,
  NOT_SET,
  formatPercent as pct,
  formatSeconds as secs,
} from '../table'
import { change, comparedHead, pointsChange, share } from './compare-text'
import { periodColumn, quoted, second, traitColumns } from './report-text'

// How a funnel prints: its steps (beside the range before's with --compare), by period, and the people behind a step

/**
 * A funnel's steps as a table, then the same by each breakdown value and by each period people entered; with
 * --compare, each step's change in people and in the share of those who entered that reached it.
 */
export function funnelText(r: Compared<FunnelResult>, breakdown?: string, interval?: string): string {
  const table = (steps: FunnelStepResult[], before: FunnelStepResult[] | undefined) => {
    // the people each share is of: those who entered, and those who reached the step before
    const entered = steps[0]?.people ?? 0
    return formatTable(
      steps.map((s, i) => {
        const b = before && (before[i] ?? { people: 0, conversionFromFirst: 0 })
        return {
          step: s.step,
          event: s.label,
          people: s.people,
          ...(b && { 'Δ people': change(s.people, b.people) }),
          'from first': share(s.conversionFromFirst, entered),
          ...(b && {
            'Δ from first':
              i === 0
                ? ''
                : pointsChange(s.conversionFromFirst, b.conversionFromFirst, [
                    entered,
                    before[0]?.people ?? 0,
                  ]),
          }),
          'from previous': share(s.conversionFromPrevious, steps[i - 1]?.people ?? entered),
          'drop-off': s.dropOff,
          'median time': secs(s.medianSecondsFromPrevious),
          'p90 time': secs(s.p90SecondsFromPrevious),
        }
      }),
    )
  }
  const parts = [`${comparedHead(r)}${table(r.steps, r.previous?.steps)}`]
  const breakdownBefore = new Map(r.previous?.breakdown?.map((b) => [b.value, b.steps]))
  for (const b of r.breakdown ?? [])
    parts.push(
      `\n${breakdown} = ${b.value || '(empty)'}\n${table(b.steps, r.previous && (breakdownBefore.get(b.value) ?? []))}`,
    )
  if (r.periods)
    parts.push(`\nBy the ${interval} they entered:\n${funnelPeriodsText(r.periods, interval ?? '')}`)
  return parts.join('\n')
}

/**
 * A funnel by the period people entered it: a row for each, with how many reached each step and the share of those
 * who entered that reached the last.
 */
export function funnelPeriodsText(periods: NonNullable<FunnelResult['periods']>, interval: string): string {
  return formatTable(
    periods.map((p) => {
      const first = p.steps[0]?.people ?? 0
      const last = p.steps[p.steps.length - 1]
      return {
        [periodColumn(interval)]: p.start,
        ...Object.fromEntries(p.steps.map((s) => [`${s.step}. ${s.label}`, s.people])),
        converted: first > 0 && last ? pct(last.conversionFromFirst) : '',
      }
    }),
  )
}

/** Who reached or dropped out at a funnel step: a line with how many, then the latest to enter. */
export function funnelPeopleText(r: FunnelPeopleResult, step: string): string {
  const what = r.outcome === 'reached' ? `reached step ${r.step}` : `dropped out at step ${r.step}`
  const head = `${counted(r.total, 'person', 'people')} ${what}${step ? ` (${step})` : ''}`
  if (!r.people.length) return head
  const table = formatTable(
    r.people.map((p) => ({
      person: p.person,
      'steps reached': p.stepsReached,
      'entered (UTC)': second(p.enteredAt),
      'last step (UTC)': p.stepTimes ? second(p.stepTimes[p.stepTimes.length - 1] ?? p.enteredAt) : '',
      ...(p.value !== undefined && { value: p.value || NOT_SET }),
      ...traitColumns(p.traits),
    })),
  )
  const more = r.total - r.offset - r.people.length
  const hint = `touchpoint profile ${quoted(r.people[0]!.person)} shows one person's whole journey`
  return `${head}; the latest to enter first:\n\n${table}\n\n${more > 0 ? `${more} more; --limit N lists more (up to 10000) and --offset N skips the first N, --csv writes them for a spreadsheet.\n` : ''}${hint}`
}

/** The same people as CSV, the time of each step they reached in a column of its own. */
export function funnelPeopleCsv(r: FunnelPeopleResult): string {
  const steps = Math.max(0, ...r.people.map((p) => p.stepTimes?.length ?? 0))
  return formatCsv(
    r.people.map((p) => ({
      person: p.person,
      steps_reached: p.stepsReached,
      entered_at: p.enteredAt,
      ...(p.value !== undefined && { value: p.value }),
      ...traitColumns(p.traits),
      ...Object.fromEntries(
        Array.from({ length: steps }, (_, i) => [`step_${i + 1}_at`, p.stepTimes?.[i] ?? '']),
      ),
    })),
  )
}
