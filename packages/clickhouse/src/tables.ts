/** The one map of table names. Identifiers in SQL come from here, never from input. */
export const TABLES = {
  events: 'events',
  rejected: 'events_rejected',
  identities: 'identities',
  sessionParts: 'session_parts',
  sessionPartsView: 'session_parts_mv',
  migrations: 'schema_migrations',
  adSpend: 'ad_spend',
  erasures: 'erasures',
} as const

export type TableName = (typeof TABLES)[keyof typeof TABLES]
