/**
 * The tests an experiment's variants are compared with: normal approximations, as A/B testing tools report them
 * for samples of hundreds or more. Pure functions of counts, means and variances.
 */

/** z of a two-sided 95% interval */
export const Z95 = 1.959963984540054

/**
 * The complementary error function, from the continued-fraction-free rational approximation of Numerical
 * Recipes (erfcc): fractional error below 1.2e-7 everywhere, enough for a p-value shown to three places.
 */
export function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? r : 2 - r
}

/** The two-sided p-value of a standard normal statistic. */
export const twoSidedP = (z: number): number => Math.min(1, erfc(Math.abs(z) / Math.SQRT2))

export interface Difference {
  /** the variant's figure less the control's */
  difference: number
  /** the 95% interval of that difference */
  low: number
  high: number
  /** the chance of a difference at least this large if the variants were the same (two-sided); null without data */
  pValue: number | null
  /**
   * With a size of difference to look for: an always-valid p-value (sequentialP), which may be read at every look
   * and the test stopped the first time it is under 0.05; null without data
   */
  sequentialPValue?: number | null
}

/**
 * An always-valid p-value of a difference whose estimate has `variance` under no difference: the mixture
 * sequential probability ratio test (Johari, Pekelis and Walsh, "Always valid inference", 2017) with a normal
 * mixture of standard deviation `tau` over the true differences, the size of difference the test is for. Its
 * likelihood ratio is Λ = √(V ÷ (V + τ²)) · exp(τ²d² ÷ (2V(V + τ²))), and 1 ÷ Λ is under α at some look, however
 * many looks are taken, with a chance of at most α when there is no difference: a test watched daily and stopped
 * the first time this is under 0.05 finds a difference that is not there no more than 1 time in 20, where the
 * fixed-size p-value, read so, does far more often. It asks for more people than a test read once at its planned
 * size. Null where there is nothing to tell (no variance and no difference size).
 */
export function sequentialP(difference: number, variance: number, tau: number): number | null {
  if (!(tau > 0)) return null
  if (!(variance > 0)) return difference === 0 ? 1 : 0
  const t2 = tau * tau
  const logRatio =
    0.5 * Math.log(variance / (variance + t2)) +
    (t2 * difference * difference) / (2 * variance * (variance + t2))
  return Math.min(1, Math.exp(-logRatio))
}

/**
 * Two conversion rates (x of n converted): the pooled two-proportion z-test for the p-value, the unpooled
 * standard error for the interval, as most A/B tools give them.
 */
export function compareRates(
  control: { n: number; x: number },
  variant: { n: number; x: number },
  /** the size of difference in shares to look for, for the sequential p-value */
  tau?: number,
): Difference {
  const p1 = control.n > 0 ? control.x / control.n : 0
  const p2 = variant.n > 0 ? variant.x / variant.n : 0
  const difference = p2 - p1
  const none = tau === undefined ? {} : { sequentialPValue: null }
  if (control.n === 0 || variant.n === 0)
    return { difference, low: difference, high: difference, pValue: null, ...none }
  const pooled = (control.x + variant.x) / (control.n + variant.n)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / variant.n))
  const spread = Z95 * Math.sqrt((p1 * (1 - p1)) / control.n + (p2 * (1 - p2)) / variant.n)
  return {
    difference,
    low: difference - spread,
    high: difference + spread,
    pValue: se > 0 ? twoSidedP(difference / se) : difference === 0 ? 1 : 0,
    ...(tau !== undefined && { sequentialPValue: sequentialP(difference, se * se, tau) }),
  }
}

/**
 * Two means of a per-person figure (revenue per person, the people who bought nothing counted at 0), by Welch's
 * statistic read against the normal distribution (the samples an A/B test needs are large enough for it).
 */
export function compareMeans(
  control: { n: number; mean: number; variance: number },
  variant: { n: number; mean: number; variance: number },
  /** the size of difference in means to look for, for the sequential p-value */
  tau?: number,
): Difference {
  const difference = variant.mean - control.mean
  const none = tau === undefined ? {} : { sequentialPValue: null }
  if (control.n < 2 || variant.n < 2)
    return { difference, low: difference, high: difference, pValue: null, ...none }
  const se = Math.sqrt(control.variance / control.n + variant.variance / variant.n)
  return {
    difference,
    low: difference - Z95 * se,
    high: difference + Z95 * se,
    pValue: se > 0 ? twoSidedP(difference / se) : difference === 0 ? 1 : 0,
    ...(tau !== undefined && { sequentialPValue: sequentialP(difference, se * se, tau) }),
  }
}

/** z of 80% power, one-sided */
export const Z80 = 0.8416212335729143

/**
 * The people each variant needs for a test of conversion rates to tell an `uplift` (relative: 0.1 for +10%) on
 * `rate` from chance 80% of the time at 95% (two-sided): the normal approximation's
 * n = (z₀.₉₇₅ + z₀.₈)² × (p₁(1 − p₁) + p₂(1 − p₂)) ÷ (p₂ − p₁)², rounded up. Null where no uplift of the rate is
 * possible (a rate of 0, or one that the uplift takes to 1 or past it).
 */
export function peopleNeeded(rate: number, uplift: number): number | null {
  const p2 = rate * (1 + uplift)
  if (rate <= 0 || p2 >= 1 || p2 === rate) return null
  return Math.ceil(((Z95 + Z80) ** 2 * (rate * (1 - rate) + p2 * (1 - p2))) / (p2 - rate) ** 2)
}
