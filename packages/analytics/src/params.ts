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

  /** A value every use in the query shares (a lookup table, say), added once under `key`. */
  shared(key: string, value: unknown, type: string): string {
    const known = this.sharedNames.get(key)
    if (known) return known
    const name = this.add(value, type)
    this.sharedNames.set(key, name)
    return name
  }
  private readonly sharedNames = new Map<string, string>()

  /** A time as a DateTime64(3) expression (passed as epoch milliseconds, so no format can be misread). */
  time(date: Date): string {
    return `fromUnixTimestamp64Milli(${this.add(date.getTime(), 'Int64')}, 'UTC')`
  }
}
