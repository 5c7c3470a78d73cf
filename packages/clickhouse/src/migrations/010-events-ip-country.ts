import { TABLES } from '../tables'
import type { Migration } from './ddl'

/**
 * `ip_country`: the ISO 3166 code of the country of the event's address, looked up by the collector before it
 * anonymises the address, from the table of address ranges its operator gives it (GEOIP_COUNTRY_CSV); '' without
 * one, and for the events stored before. Reports read a visitor's country from it where it is set, and from their
 * time zone where not (analytics' fields.ts). Adding a column with a default rewrites no part: the parts stored
 * before read it as ''.
 */
export const eventsIpCountry: Migration = {
  version: 10,
  name: 'events-ip-country',
  up: ({ onCluster }) => [
    `ALTER TABLE ${TABLES.events}${onCluster}
      ADD COLUMN IF NOT EXISTS ip_country LowCardinality(String) DEFAULT '' AFTER ip`,
  ],
}
