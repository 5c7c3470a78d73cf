import type { createClient } from '@clickhouse/client'

export type Connection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/** The calls that run a statement on the engine; ping and close pass straight through. */
const STATEMENTS = new Set<PropertyKey>(['query', 'exec', 'command', 'insert'])

/**
 * A chDB connection whose calls run one after another, each followed, when it fails, by a throwaway query.
 *
 * chDB 3.4 keeps the output a query had written before it failed and hands it to the next query on the same
 * connection, ahead of that query's own rows: a query that failed after 65,410 rows of output (on a throwIf in a
 * later block, or past max_result_rows) made the next `SELECT 2` answer 65,411 rows. The throwaway query
 * takes up what is left. Running the calls in turn costs nothing: chDB runs one statement at a time on a
 * connection anyway (two at once took twice as long as one), and it keeps any other call from coming between.
 */
export function drainingConnection(inner: Connection): Connection {
  let turn: Promise<unknown> = Promise.resolve()
  const drain = async () => {
    try {
      const { stream } = await inner.query({
        query: 'SELECT 1 FORMAT TabSeparated',
        query_id: crypto.randomUUID(),
      })
      stream.destroy()
    } catch {
      // a drain that fails leaves the connection as the failed call did; the next call finds out
    }
  }
  const inTurn =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const result = turn.then(() => call(...args))
      turn = result.then(
        () => undefined,
        () => drain(),
      )
      return result
    }
  return new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      // the methods read private fields, so they run on the connection itself, not on this proxy
      return STATEMENTS.has(prop) ? inTurn(value.bind(target)) : value.bind(target)
    },
  })
}
