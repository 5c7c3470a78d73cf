export {
  AdSpendCurrencyError,
  type AdSpendInput,
  type AdSpendRow,
  adSpendDay,
  adSpendInput,
  adSpendRequest,
  insertAdSpend,
  sumAdSpend,
} from './ad-spend'
export {
  BACKUP_NAME,
  BACKUP_TABLES,
  type BackupManifest,
  BackupRefused,
  backupManifest,
  backupNameNow,
  backupTo,
  restoreFrom,
} from './backup'
export { BODY_KEY_PATTERN, REDACTED_BODY_KEY } from './body-keys'
export { type ClickHouse, type ClickHouseOptions, createClickHouse } from './client'
export { dateTime64Text } from './date-time-text'
export { clickhouseEnv, clickhouseOptions } from './env'
export { type ErasureRequest, type ErasureResult, erasePerson } from './erase'
export {
  type ErasureEntry,
  erasureHash,
  erasureRows,
  onErasure,
  readErasures,
  recordErasure,
} from './erasures'
export { type ExportKind, exportPerson } from './export'
export { insertJsonEachRow } from './insert'
export { appliedVersions, type MigrateOptions, type MigrationResult, migrate } from './migrate'
export { FIRST_EVENT_ORDER } from './migrations/008-session-parts-direct-last'
export { type DdlContext, ddlContext, type Migration, quoteIdent } from './migrations/ddl'
export { MIGRATIONS } from './migrations/index'
export type { PersonRequest } from './person'
export { answersPing, PING_TIMEOUT_MS } from './ping'
export { QueryRefused, refuseFileWrites } from './read-only-query'
export { applyRetention, type Retention, ttlDays } from './retention'
export { boundMessage, callersMessage, DEFAULT_SQL_LIMITS, type SqlLimits } from './sql-limits'
export { TABLES, type TableName } from './tables'
