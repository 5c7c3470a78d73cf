/** The middle value (the upper one of an even count), as every figure of the benchmarks reports it. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
