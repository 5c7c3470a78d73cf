/** What a migration needs to know to write DDL for one server, or for a cluster with Replicated engines. */
export interface DdlContext {
  /** ` ON CLUSTER name`, or '' */
  onCluster: string
  /** An engine clause, replicated when running on a cluster: engine('ReplacingMergeTree', 'events'). */
  engine(kind: string, table: string, args?: string): string
}

export function ddlContext(cluster: string | undefined): DdlContext {
  return {
    onCluster: cluster ? ` ON CLUSTER ${quoteIdent(cluster)}` : '',
    engine(kind, table, args = '') {
      if (!cluster) return `${kind}(${args})`
      const replicated = [`'/clickhouse/tables/{shard}/{database}/${table}'`, `'{replica}'`]
      if (args) replicated.push(args)
      return `Replicated${kind}(${replicated.join(', ')})`
    },
  }
}

export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a valid ClickHouse identifier: ${name}`)
  return `\`${name}\``
}

export interface Migration {
  version: number
  name: string
  up(ctx: DdlContext): string[]
}
