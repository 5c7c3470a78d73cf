/**
 * Collects a query's values as ClickHouse query parameters. Every value a caller supplies travels this way,
 * never inside the SQL text: `params.add('/pricing', 'String')` returns `{p0:String}` for the query and keeps
 * the value for `query_params`.
 */
export class QueryParams {
  readonly values: Record<string, unknown> = {}
  private next = 0

  add(value: unknown, type: string): string {
    const name = `p${this.next++}`
    this.values[name] = value
    return `{${name}:${type}}`
  }

  /** A time as a DateTime64(3) expression (passed as epoch milliseconds, so no format can be misread). */
  time(date: Date): string {
    return `fromUnixTimestamp64Milli(${this.add(date.getTime(), 'Int64')}, 'UTC')`
  }
}
