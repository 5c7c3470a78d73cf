import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type {
  AttributionResult,
  FunnelPeopleResult,
  FunnelResult,
  PlanCheckResult,
  PlanDraftResult,
  Profile,
} from '@touchpoint/analytics'
import type { CliConfig } from '../config'
import { allFunnelPeople } from './all-pages'
import {
  byCurrencyFilter,
  common,
  dateRange,
  defined,
  optionalNumber,
  parseEventMatch,
  parsePeople,
} from './analytics-args'
import { ask } from './analytics-client'
import { attributionText } from './attribution-text'
import { funnelPeopleCsv, funnelPeopleText, funnelText } from './funnel-text'
import { planCheckText } from './plan-text'
import { report } from './report-command'
import { attributionCsv } from './report-csv'
import { profileText } from './report-text'

/** `touchpoint funnel|attribution|profile|report|plan …`: the analytics API from a terminal. */
export async function analyticsCommand(config: CliConfig, command: string, args: string[]): Promise<string> {
  switch (command) {
    case 'funnel': {
      const { values: v } = parseArgs({
        args,
        options: {
          ...common,
          step: { type: 'string', multiple: true, default: [] },
          window: { type: 'string' },
          mode: { type: 'string' },
          breakdown: { type: 'string' },
          interval: { type: 'string' },
          people: { type: 'string' },
          value: { type: 'string' },
          period: { type: 'string' },
          traits: { type: 'string' },
          offset: { type: 'string' },
          limit: { type: 'string' },
          all: { type: 'boolean', default: false },
          csv: { type: 'boolean', default: false },
        },
      })
      if (v.step.length === 0)
        throw new Error(
          '--step: a funnel needs its steps, in order: --step "Page Viewed[path=/pricing]" --step "Signed Up"',
        )
      const body = defined({
        project: v.project,
        ...dateRange(v.from, v.to),
        timezone: v.timezone,
        steps: v.step.map(parseEventMatch),
        window: v.window,
        mode: v.mode,
        breakdown: v.breakdown,
        interval: v.interval,
        compare: v.compare,
      })
      if (v.people !== undefined) {
        const people = {
          ...body,
          ...parsePeople(v.people),
          ...defined({
            value: v.value,
            period: v.period,
            limit: optionalNumber(v.limit),
            offset: optionalNumber(v.offset),
            traits: v.traits?.split(',').map((t) => t.trim()),
          }),
        }
        if (v.all && v.limit !== undefined)
          throw new Error('--all lists everyone, in pages of its own; drop --limit')
        const r = v.all
          ? await allFunnelPeople(config, people)
          : await ask<FunnelPeopleResult>(config, 'funnel-people', people)
        if (v.json) return JSON.stringify(r, null, 2)
        return v.csv ? funnelPeopleCsv(r) : funnelPeopleText(r, v.step[r.step - 1] ?? '')
      }
      if ([v.value, v.period, v.limit, v.offset, v.traits].some((x) => x !== undefined) || v.csv || v.all)
        throw new Error(
          '--value, --period, --limit, --offset, --all, --traits and --csv go with --people; the counts print as a table, or with --json',
        )
      const r = await ask<FunnelResult>(config, 'funnel', body)
      if (v.json) return JSON.stringify(r, null, 2)
      return funnelText(r, v.breakdown, v.interval)
    }
    case 'attribution': {
      const { values: v } = parseArgs({
        args,
        options: {
          ...common,
          conversion: { type: 'string', default: 'Order Completed' },
          model: { type: 'string' },
          by: { type: 'string' },
          lookback: { type: 'string' },
          'half-life': { type: 'string' },
          'net-of-refunds': { type: 'boolean', default: false },
          csv: { type: 'boolean', default: false },
        },
      })
      const body = defined({
        project: v.project,
        ...dateRange(v.from, v.to),
        timezone: v.timezone,
        conversion: parseEventMatch(v.conversion),
        model: v.model,
        by: v.by,
        lookback: v.lookback,
        halfLife: v['half-life'],
        netOfRefunds: v['net-of-refunds'] || undefined,
        compare: v.compare,
      })
      const r = await ask<AttributionResult>(config, 'attribution', body)
      if (v.json) return JSON.stringify(r, null, 2)
      if (v.csv) return attributionCsv(r)
      return attributionText(r, byCurrencyFilter(v.conversion, r.currencies))
    }
    case 'profile': {
      const { values: v, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { project: common.project, json: common.json, limit: { type: 'string', default: '20' } },
      })
      const person = positionals[0]
      if (!person) throw new Error('usage: touchpoint profile <person> [--project P]')
      const p = await ask<Profile>(config, 'profile', {
        project: v.project,
        person,
        timelineLimit: Number(v.limit),
      })
      if (v.json) return JSON.stringify(p, null, 2)
      return profileText(p)
    }
    case 'report':
      return report(config, args)
    case 'plan': {
      const { values: v, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          project: common.project,
          from: common.from,
          to: common.to,
          timezone: common.timezone,
          limit: { type: 'string' },
          file: { type: 'string' },
          json: common.json,
        },
      })
      const body = defined({
        project: v.project,
        ...dateRange(v.from, v.to),
        timezone: v.timezone,
        limit: optionalNumber(v.limit),
      })
      if (positionals[0] === 'draft') {
        const r = await ask<PlanDraftResult>(config, 'plan-draft', body)
        return JSON.stringify(r.trackingPlan, null, 2)
      }
      if (positionals[0] === 'check') {
        const plan = v.file === undefined ? undefined : JSON.parse(readFileSync(v.file, 'utf8'))
        const r = await ask<PlanCheckResult>(config, 'plan-check', { ...body, ...(plan && { plan }) })
        return v.json ? JSON.stringify(r, null, 2) : planCheckText(r, v.file ?? "the project's trackingPlan")
      }
      throw new Error(
        'usage: touchpoint plan draft|check [--file plan.json] [--project P] [--from D] [--to D]',
      )
    }
    default:
      throw new Error(`unknown command ${command}`)
  }
}
