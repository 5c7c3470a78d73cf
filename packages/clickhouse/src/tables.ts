/** The one map of table names. Identifiers in SQL come from here, never from input. */
export const TABLES = {
  events: 'events',
  rejected: 'events_rejected',
  identities: 'identities',
  migrations: 'schema_migrations',
} as const

export type TableName = (typeof TABLES)[keyof typeof TABLES]
