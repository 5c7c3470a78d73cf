import type { Difference, ExperimentResult, ExperimentsResult } from '@touchpoint/analytics'
import { formatTable, formatPercent as pct } from '../table'
import { mixedNote, money, second } from './report-text'

/** The A/B tests of the range, the most people first. */
export function experimentsText(r: ExperimentsResult): string {
  if (!r.rows.length) return 'no experiments in the range (Experiment Viewed events with an experimentId)'
  const table = formatTable(
    r.rows.map((x) => ({
      experiment: x.experiment,
      people: x.people,
      'people by variant': x.variants.map((v) => `${v.variant} ${v.people}`).join(', '),
      'first seen (UTC)': second(x.firstSeen),
      'last seen (UTC)': second(x.lastSeen),
    })),
  )
  const more = r.total.experiments - r.rows.length
  return `${table}\n\n${more > 0 ? `${more} more; --limit N lists more.\n` : ''}touchpoint report experiments --experiment ID sets one's variants side by side`
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`
/** A difference with its 95% interval: `+35.0 pp (−12.3 to +82.3)`; without one where too few people for it. */
const interval = (d: Difference, scale: number, digits: number, unit: string) =>
  `${signed(d.difference * scale, digits)}${unit}${d.pValue === null ? '' : ` (${signed(d.low * scale, digits)} to ${signed(d.high * scale, digits)})`}`
const pValue = (p: number | null) => (p === null ? '' : p < 0.001 ? '<0.001' : p.toFixed(3))
const upliftOf = (u: number | null) => (u === null ? '' : `${signed(u * 100, 1)}%`)

/** Each variant beside the control: conversion rate and revenue per person, the differences and their p-values. */
export function experimentText(r: ExperimentResult, conversion: string): string {
  if (!r.variants.length) return `no one was shown experiment ${r.experiment} in the range`
  const days = r.windowSeconds / 86_400
  const window = Number.isInteger(days) ? `${days} days` : `${r.windowSeconds} s`
  const table = formatTable(
    r.variants.map((v) => ({
      variant:
        v.variant === r.control && v.variant.toLowerCase() !== 'control'
          ? `${v.variant} (control)`
          : v.variant,
      people: v.people,
      converted: v.converted,
      rate: pct(v.conversionRate),
      'Δ rate (95% interval)': v.vsControl ? interval(v.vsControl.conversionRate, 100, 1, ' pp') : '',
      uplift: v.vsControl ? upliftOf(v.vsControl.conversionRate.uplift) : '',
      p: v.vsControl ? pValue(v.vsControl.conversionRate.pValue) : '',
      'p seq': v.vsControl ? pValue(v.vsControl.conversionRate.sequentialPValue ?? null) : '',
      'revenue/person': money(v.revenuePerPerson, r.currencies),
      'Δ revenue/person (95%)': v.vsControl ? interval(v.vsControl.revenuePerPerson, 1, 2, '') : '',
      'p ': v.vsControl ? pValue(v.vsControl.revenuePerPerson.pValue) : '',
      'p seq ': v.vsControl ? pValue(v.vsControl.revenuePerPerson.sequentialPValue ?? null) : '',
    })),
  )
  const head = `Experiment ${r.experiment}: ${conversion} within ${window} of each person's first exposure${r.netOfRefunds ? ' (revenue kept after refunds)' : ''}`
  const mixed = r.mixed
    ? `\n${r.mixed} ${r.mixed === 1 ? 'person was' : 'people were'} shown more than one variant and ${r.mixed === 1 ? 'is' : 'are'} left out.`
    : ''
  const missing =
    r.control !== null && !r.variants.some((v) => v.variant === r.control)
      ? `\nNo one was shown the control, ${r.control}: nothing to set the variants beside (--control names another).`
      : ''
  const control = r.variants.find((v) => v.variant === r.control)
  const smallest = Math.min(...r.variants.map((v) => v.people))
  const planned =
    control && r.planned.peoplePerVariant !== null
      ? `\nTo tell a +${(r.planned.uplift * 100).toFixed(0)}% uplift on the control’s ${pct(control.conversionRate)} from chance 80% of the time (at 95%), each variant needs about ${r.planned.peoplePerVariant.toLocaleString('en-US')} people; the smallest here has ${smallest.toLocaleString('en-US')}.`
      : ''
  const note = `\np under 0.05: significant at 95%, for a test read once at its planned size (not one stopped when it first dips under).\np seq under 0.05: the same for a test watched at every look and stopped when it first dips under (always valid, for a difference of the planned +${(r.planned.uplift * 100).toFixed(0)}%).`
  return `${head}\n\n${table}\n${missing}${mixed}${planned}${note}${mixedNote(r.currencies, "set the project's currency and exchangeRates to add them up in one")}`
}
