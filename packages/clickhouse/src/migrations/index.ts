import { eventsTable } from './001-events'
import { rejectedTable } from './002-events-rejected'
import { identitiesTable } from './003-identities'
import { eventIdHashes } from './004-events-id-hashes'
import { sessionParts } from './005-session-parts'
import { eventsPathLowCardinality } from './006-events-path-low-cardinality'
import { eventsRejectedBodyKeys } from './007-events-rejected-body-keys'
import { sessionPartsDirectLast } from './008-session-parts-direct-last'
import { adSpendTable } from './009-ad-spend'
import { eventsIpCountry } from './010-events-ip-country'
import { erasuresTable } from './011-erasures'
import type { Migration } from './ddl'

/** Every migration, in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  eventsTable,
  rejectedTable,
  identitiesTable,
  eventIdHashes,
  sessionParts,
  eventsPathLowCardinality,
  eventsRejectedBodyKeys,
  sessionPartsDirectLast,
  adSpendTable,
  eventsIpCountry,
  erasuresTable,
]
