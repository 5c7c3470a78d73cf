import { EVENT_NAMES } from '@touchpoint/schema'
import { conversionsAfterSql } from '../conversions'
import { fieldExpr } from '../fields'
import { QueryParams } from '../params'
import { eventsWithPerson } from '../people'
import { num, type Reader, utcTime } from '../reader'
import {
  type ExperimentRequest,
  type ExperimentsRequest,
  experimentRequest,
  experimentsRequest,
} from '../requests'
import { compareMeans, compareRates, type Difference, peopleNeeded } from '../significance'

/**
 * The first of `keys` that an event's properties carry, as text (a number as written: GrowthBook sends a
 * variation's index): the experiment tools name them differently (Segment's spec snake_case, others camelCase).
 */
const firstOf = (p: QueryParams, keys: string[]) =>
  keys.reduceRight((rest, key) => {
    const value = fieldExpr(`properties.${key}`, p, 'e')
    return `if(${value} != '', ${value}, ${rest})`
  }, "''")
const experimentOf = (p: QueryParams) => firstOf(p, ['experimentId', 'experiment_id'])
const variantOf = (p: QueryParams) => firstOf(p, ['variationId', 'variation_id', 'variant'])

export interface ExperimentListRow {
  experiment: string
  /** people shown any of its variants in the range (a person shown two counts once here) */
  people: number
  /** each variant with the people shown it, by name */
  variants: Array<{ variant: string; people: number }>
  firstSeen: string
  lastSeen: string
}

export interface ExperimentsResult {
  /** the most people first, at most `limit` */
  rows: ExperimentListRow[]
  total: { experiments: number }
}

/**
 * The A/B tests running: each experiment of the range's `Experiment Viewed` events, with the people shown each of
 * its variants (identity resolved, bots left out) and when it was first and last seen.
 */
export async function experiments(reader: Reader, input: ExperimentsRequest): Promise<ExperimentsResult> {
  const req = experimentsRequest.parse(input)
  const p = new QueryParams()
  const exposures = eventsWithPerson(
    p,
    {
      project: req.project,
      from: req.from,
      to: req.to,
      where: `e.event = ${p.add(EVENT_NAMES.experimentViewed, 'String')}`,
    },
    `${experimentOf(p)} AS experiment, ${variantOf(p)} AS variant, e.timestamp AS timestamp`,
    true,
  )
  const rows = await reader.rows(
    `SELECT experiment, uniqExactMerge(people_state) AS people, min(first_seen) AS first_seen,
      max(last_seen) AS last_seen, arraySort(groupArray((variant, variant_people))) AS variants,
      count() OVER () AS experiments
    FROM (
      SELECT experiment, variant, uniqExactState(person) AS people_state, uniqExact(person) AS variant_people,
        min(timestamp) AS first_seen, max(timestamp) AS last_seen
      FROM (${exposures}) WHERE experiment != ''
      GROUP BY experiment, variant
    )
    GROUP BY experiment
    ORDER BY people DESC, experiment
    LIMIT ${p.add(req.limit, 'UInt32')}`,
    p,
  )
  return {
    rows: rows.map((r) => ({
      experiment: String(r.experiment),
      people: num(r.people),
      variants: (r.variants as Array<[string, unknown]>).map(([variant, people]) => ({
        variant,
        people: num(people),
      })),
      firstSeen: utcTime(r.first_seen),
      lastSeen: utcTime(r.last_seen),
    })),
    total: { experiments: num(rows[0]?.experiments) },
  }
}

export interface VariantFigures {
  variant: string
  /** people whose first exposure to the experiment in the range was to this variant, and who saw no other */
  people: number
  /** of them, those with a conversion within the window after their first exposure, and its share */
  converted: number
  conversionRate: number
  /** their conversions within the window (each event id once), the revenue of those, and revenue ÷ people */
  conversions: number
  revenue: number
  revenuePerPerson: number
  /** set beside the control's; null for the control itself */
  vsControl: {
    /** in conversion rate (a difference of shares): pooled two-proportion z-test, 95% interval */
    conversionRate: Difference & { uplift: number | null }
    /** in revenue per person (a person who bought nothing counts 0): Welch's statistic, 95% interval */
    revenuePerPerson: Difference & { uplift: number | null }
  } | null
}

export interface ExperimentResult {
  experiment: string
  /** the variant the others are set beside; null when the experiment has no exposures in the range */
  control: string | null
  windowSeconds: number
  /** the revenue is what the orders kept after refunds (netOfRefunds), not what they were ordered at */
  netOfRefunds: boolean
  /** the control first, then the others by name */
  variants: VariantFigures[]
  /** people shown more than one variant: left out of every variant, as their outcome is no one variant's */
  mixed: number
  /**
   * What a test of this size can tell: the people each variant needs to tell the `uplift` asked for (relative) on
   * the control's conversion rate from chance 80% of the time at 95%; null without a control that converts.
   */
  planned: { uplift: number; peoplePerVariant: number | null }
  currencies: string[]
}

/** The variant the others are set beside: the one asked for, or `control`, or `0`, or the first by name. */
function controlOf(variants: string[], asked: string | undefined): string | null {
  if (asked !== undefined) return asked
  return (
    variants.find((v) => v.toLowerCase() === 'control') ??
    variants.find((v) => v === '0') ??
    variants.sort()[0] ??
    null
  )
}

const uplift = (variant: number, control: number) => (control > 0 ? variant / control - 1 : null)

/**
 * An A/B test's outcome: the people shown each variant of `experiment` in the range (by `Experiment Viewed`,
 * identity resolved, bots left out, each person at their first exposure; a person shown two variants is left out
 * and counted in `mixed`), who of them converted (`conversion`, default `Order Completed`) within `window` after
 * that first exposure, even past the range's end, with the conversions, revenue and revenue per person; and each
 * variant set beside the control, with the difference, its 95% interval and p-value for the conversion rate and
 * the revenue per person. A p-value under 0.05 is what A/B tools call significant at 95%; it holds for a test
 * read once at its planned size, not for one watched daily and stopped when it first dips under. For that, each
 * difference also has a sequential p-value, always valid (significance.ts, sequentialP), for a difference of the
 * planned `uplift` on the control's figure.
 */
export async function experiment(reader: Reader, input: ExperimentRequest): Promise<ExperimentResult> {
  const req = experimentRequest.parse(input)
  const p = new QueryParams()
  const window = `toIntervalSecond(${p.add(req.window, 'UInt32')})`
  const exposures = eventsWithPerson(
    p,
    {
      project: req.project,
      from: req.from,
      to: req.to,
      where: `e.event = ${p.add(EVENT_NAMES.experimentViewed, 'String')} AND ${experimentOf(p)} = ${p.add(req.experiment, 'String')}`,
    },
    `${variantOf(p)} AS seen, e.timestamp AS timestamp`,
    true,
  )
  const first = `SELECT person, argMin(seen, timestamp) AS variant, min(timestamp) AS first_seen,
      uniqExact(seen) AS variants
    FROM (${exposures}) GROUP BY person`
  const conv = conversionsAfterSql(p, req, req.window)
  const rows = await reader.rows(
    `WITH first AS (${first}), conv AS (${conv})
    SELECT variant, mixed, count() AS people, countIf(n > 0) AS converted, sum(n) AS conversions,
      sum(rev) AS revenue, varSamp(rev) AS revenue_variance,
      arraySort(arrayDistinct(arrayFlatten(groupArray(curs)))) AS currencies
    FROM (
      SELECT person, any(variant) AS variant, any(variants) > 1 AS mixed, countIf(counted) AS n,
        sumIf(revenue, counted) AS rev, groupUniqArrayIf(cur, counted AND cur != '') AS curs
      FROM (
        SELECT f.person AS person, f.variant AS variant, f.variants AS variants, c.revenue AS revenue, c.cur AS cur,
          c.at >= f.first_seen AND c.at <= f.first_seen + ${window} AS counted
        FROM first AS f LEFT JOIN conv AS c ON c.person = f.person
      )
      GROUP BY person
    )
    GROUP BY variant, mixed
    ORDER BY variant`,
    p,
  )
  const single = rows.filter((r) => num(r.mixed) === 0)
  const figures = new Map(
    single.map((r) => {
      const people = num(r.people)
      const revenue = num(r.revenue)
      const variance = num(r.revenue_variance)
      return [
        String(r.variant),
        {
          people,
          converted: num(r.converted),
          conversions: num(r.conversions),
          revenue,
          mean: people > 0 ? revenue / people : 0,
          variance: Number.isFinite(variance) ? variance : 0,
        },
      ]
    }),
  )
  const control = controlOf([...figures.keys()], req.control)
  const base = control === null ? undefined : figures.get(control)
  const variants = [...figures]
    .sort(([a], [b]) => (a === control ? -1 : b === control ? 1 : a < b ? -1 : 1))
    .map(
      ([variant, f]): VariantFigures => ({
        variant,
        people: f.people,
        converted: f.converted,
        conversionRate: f.people > 0 ? f.converted / f.people : 0,
        conversions: f.conversions,
        revenue: f.revenue,
        revenuePerPerson: f.mean,
        vsControl:
          base === undefined || variant === control
            ? null
            : {
                conversionRate: {
                  ...compareRates(
                    { n: base.people, x: base.converted },
                    { n: f.people, x: f.converted },
                    req.uplift * (base.people > 0 ? base.converted / base.people : 0),
                  ),
                  uplift: uplift(f.converted / f.people, base.people > 0 ? base.converted / base.people : 0),
                },
                revenuePerPerson: {
                  ...compareMeans(
                    { n: base.people, mean: base.mean, variance: base.variance },
                    { n: f.people, mean: f.mean, variance: f.variance },
                    req.uplift * base.mean,
                  ),
                  uplift: uplift(f.mean, base.mean),
                },
              },
      }),
    )
  const controlRate = base && base.people > 0 ? base.converted / base.people : 0
  return {
    experiment: req.experiment,
    control,
    windowSeconds: req.window,
    netOfRefunds: req.netOfRefunds,
    variants,
    mixed: rows.filter((r) => num(r.mixed) === 1).reduce((s, r) => s + num(r.people), 0),
    currencies: [...new Set(rows.flatMap((r) => r.currencies as string[]))].sort(),
    planned: { uplift: req.uplift, peoplePerVariant: peopleNeeded(controlRate, req.uplift) },
  }
}
