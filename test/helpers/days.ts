/** Days relative to today's UTC midnight, for tests that send events over the last days and ask for date ranges. */
export const DAY = 86_400_000
/** today's midnight, UTC, in ms */
export const today = Date.parse(new Date().toISOString().slice(0, 10))
/** the date `n` days from today (negative: before), as the analytics' date-only `from` and `to` take it */
export const dayOf = (n: number) => new Date(today + n * DAY).toISOString().slice(0, 10)
