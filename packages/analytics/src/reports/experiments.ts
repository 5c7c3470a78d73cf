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
import { periodStarts, startOfDay } from '../zone'

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

/** The most daily looks the sequential p-value's running minimum reads: three months of them, spread evenly. */
export const MAX_LOOKS = 90

/**
 * The instants a test read daily was read at before now: each midnight in the request's time zone after `from`
 * and before the earlier of `to` and now; at most MAX_LOOKS of them, spread evenly over a longer range.
 */
export function dailyLooks(from: Date, to: Date, timezone: string, now = Date.now()): number[] {
  const end = Math.min(to.getTime(), now)
  if (end <= from.getTime()) return []
  const days = periodStarts(from, new Date(end), 'day', timezone)
    .map((day) => startOfDay(day, timezone).getTime())
    .filter((t) => t > from.getTime() && t < end)
  if (days.length <= MAX_LOOKS) return days
  return Array.from(
    { length: MAX_LOOKS },
    (_, i) => days[Math.round((i * (days.length - 1)) / (MAX_LOOKS - 1))]!,
  )
}

/** What the differences are read from: the people, those who converted, and their revenue's mean and variance. */
interface Sample {
  people: number
  converted: number
  mean: number
  variance: number
}
interface Figures extends Sample {
  conversions: number
  revenue: number
}

/** Each variant's figures, by name, of the people shown it alone (the rows of one look). */
const figuresOf = (rows: Record<string, unknown>[]) =>
  new Map<string, Figures>(
    rows
      .filter((r) => num(r.mixed) === 0)
      .map((r) => {
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

/** Each variant's sample, by name, at look `i` before now, from the sums the query gave for each look. */
const looksFiguresOf = (rows: Record<string, unknown>[], i: number) =>
  new Map<string, Sample>(
    rows
      .filter((r) => num(r.mixed) === 0)
      .map((r) => {
        const at = (column: string) => num((r[column] as unknown[])[i])
        const [people, revenue, squares] = [at('look_people'), at('look_revenue'), at('look_revenue_squares')]
        const mean = people > 0 ? revenue / people : 0
        return [
          String(r.variant),
          {
            people,
            converted: at('look_converted'),
            mean,
            // the sample variance, from the sums: (Σx² − n·mean²) ÷ (n − 1)
            variance: people > 1 ? Math.max(0, (squares - people * mean * mean) / (people - 1)) : 0,
          },
        ]
      }),
  )

/** A variant's conversion rate beside the control's, with the sequential p-value for `uplift` on the control's. */
const rateDifference = (base: Sample, f: Sample, planned: number) =>
  compareRates(
    { n: base.people, x: base.converted },
    { n: f.people, x: f.converted },
    planned * (base.people > 0 ? base.converted / base.people : 0),
  )

/** A variant's revenue per person beside the control's, likewise. */
const meanDifference = (base: Sample, f: Sample, planned: number) =>
  compareMeans(
    { n: base.people, mean: base.mean, variance: base.variance },
    { n: f.people, mean: f.mean, variance: f.variance },
    planned * base.mean,
  )

/**
 * `now` with its sequential p-value the lowest of every look's, its own included: the always-valid p-value of a
 * test read at each of them, which never rises (Johari et al.), where the current look's alone would rise and fall
 * with the data; so "under 0.05" stays true of a test that once was, as stopping then would have found.
 */
function lowestSequential(now: Difference, looks: Array<Difference | undefined>): Difference {
  let lowest = now.sequentialPValue ?? null
  for (const look of looks) {
    const p = look?.sequentialPValue
    if (p !== null && p !== undefined && (lowest === null || p < lowest)) lowest = p
  }
  return { ...now, sequentialPValue: lowest }
}

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
  const looks = dailyLooks(req.from, req.to, req.timezone)
  // at each look before now, of the people shown it by then (`shown`): how many, how many had converted
  // (`bought`), and the sum and the sum of squares of their revenue so far (`spent`), from each person's counted
  // conversions as (time, revenue) in `cs`
  const L = p.add(looks, 'Array(Int64)')
  const rows = await reader.rows(
    `WITH first AS (${first}), conv AS (${conv})
    SELECT variant, mixed, count() AS people, countIf(n > 0) AS converted, sum(n) AS conversions,
      sum(rev) AS revenue, varSamp(rev) AS revenue_variance,
      arraySort(arrayDistinct(arrayFlatten(groupArray(curs)))) AS currencies,
      sumForEach(shown) AS look_people, sumForEach(bought) AS look_converted, sumForEach(spent) AS look_revenue,
      sumForEach(arrayMap(x -> x * x, spent)) AS look_revenue_squares
    FROM (
      SELECT *, arrayMap(l -> toUInt8(first_ms < l), ${L}) AS shown,
        arrayMap((l, s) -> s * arrayExists(c -> c.1 < l, cs), ${L}, shown) AS bought,
        arrayMap((l, s) -> if(s = 1 AND n > 0, arraySum(arrayMap(c -> if(c.1 < l, c.2, 0), cs)), 0), ${L}, shown)
          AS spent
      FROM (
        SELECT person, any(variant) AS variant, any(variants) > 1 AS mixed, countIf(counted) AS n,
          sumIf(revenue, counted) AS rev, groupUniqArrayIf(cur, counted AND cur != '') AS curs,
          toUnixTimestamp64Milli(any(first_seen)) AS first_ms,
          groupArrayIf((toUnixTimestamp64Milli(at), toFloat64(revenue)), counted) AS cs
        FROM (
          SELECT f.person AS person, f.variant AS variant, f.variants AS variants, f.first_seen AS first_seen,
            c.at AS at, c.revenue AS revenue, c.cur AS cur,
            c.at >= f.first_seen AND c.at <= f.first_seen + ${window} AS counted
          FROM first AS f LEFT JOIN conv AS c ON c.person = f.person
        )
        GROUP BY person
      )
    )
    GROUP BY variant, mixed
    ORDER BY variant`,
    p,
  )
  const figures = figuresOf(rows)
  const control = controlOf([...figures.keys()], req.control)
  const base = control === null ? undefined : figures.get(control)
  // each variant's figures at each look before now, for the sequential p-value's running minimum
  const earlier = looks.map((_, i) => looksFiguresOf(rows, i))
  /**
   * A variant set beside the control by `difference`, now, with the lowest sequential p-value of `looks`: every
   * look, but for revenue net of refunds, now's alone, since what an order kept at a past look is not known (the
   * refunds since would be counted against it).
   */
  const vs = (difference: typeof rateDifference, base: Sample, f: Sample, variant: string, looks = earlier) =>
    lowestSequential(
      difference(base, f, req.uplift),
      looks.map((at) => {
        const [b, v] = [at.get(control ?? ''), at.get(variant)]
        return b && v ? difference(b, v, req.uplift) : undefined
      }),
    )
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
                  ...vs(rateDifference, base, f, variant),
                  uplift: uplift(f.converted / f.people, base.people > 0 ? base.converted / base.people : 0),
                },
                revenuePerPerson: {
                  ...vs(meanDifference, base, f, variant, req.netOfRefunds ? [] : earlier),
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
