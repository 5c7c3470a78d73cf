import { BODY_KEY_PATTERN, REDACTED_BODY_KEY } from '../body-keys'
import { sqlString } from '../sql-string'
import { TABLES } from '../tables'
import type { Migration } from './ddl'

/**
 * Redacts the keys that refused bodies stored before the collector redacted them (see body-keys.ts): a mutation
 * of `raw` in the rows that mention `writeKey`, waited for (mutations_sync = 2). Running it again changes nothing:
 * a redacted key stays redacted.
 */
export const eventsRejectedBodyKeys: Migration = {
  version: 7,
  name: 'events-rejected-body-keys',
  up: ({ onCluster }) => [
    `ALTER TABLE ${TABLES.rejected}${onCluster}
      UPDATE raw = replaceRegexpAll(raw, ${sqlString(BODY_KEY_PATTERN)}, ${sqlString(REDACTED_BODY_KEY)})
      WHERE position(raw, 'writeKey') > 0
      SETTINGS mutations_sync = 2`,
  ],
}
