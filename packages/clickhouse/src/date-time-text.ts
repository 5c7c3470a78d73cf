/**
 * ClickHouse's DateTime64(3) text of a time, in UTC, as the tables' rows carry it: '2026-12-07 10:43:05.123'. Two
 * such texts compare as the times do. (The collector's enrich/clock.ts keeps its own, which remembers its last
 * answer for the request path.)
 */
export const dateTime64Text = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').slice(0, 23)
