import type { FastifyBaseLogger } from 'fastify'
import { IpCountries } from './enrich/ip-country'
import { fileVersion, watchVersions } from './util/file-versions'

/** How often the table's file is looked at. */
const POLL_MS = 1000
/** How long the file must stay unchanged before it is read: a download being written is read once, when done. */
const SETTLE_MS = 2000

/** The table of address ranges the request path looks countries up in (GEOIP_COUNTRY_CSV); a reload swaps it. */
export class CountryTable {
  private constructor(
    /** the table's file, resolved */
    readonly file: string,
    private table: IpCountries,
    /** the version of the file the table was read from (fileVersion) */
    readonly version: string,
  ) {}

  /** Reads the file; throws as IpCountries.load does. */
  static load(file: string): CountryTable {
    const version = fileVersion(file)
    return new CountryTable(file, IpCountries.load(file), version)
  }

  lookup(ip: string): string {
    return this.table.lookup(ip)
  }

  get counts() {
    return this.table.counts
  }

  replace(table: IpCountries) {
    this.table = table
  }
}

/**
 * Keeps the country table in step with its file, as the projects file is kept (key-reload.ts): DB-IP and
 * IP2Location publish a new table each month, and the operator replaces the file without a restart. The file is
 * polled (a change since it was read at start counts too) and read once it has stayed unchanged for SETTLE_MS, or
 * at once on SIGHUP, in slices while the collector serves (IpCountries.read). A table that does not read, or
 * reads no ranges (a download cut short before its first line), is logged, naming the file and the line, and the
 * table in use stays. Returns the function that stops watching.
 */
export function watchCountries(countries: CountryTable, logger: FastifyBaseLogger): () => void {
  const { file } = countries
  let stopped = false
  let reading = false
  let again: string | undefined
  const reload = async (why: string) => {
    if (reading) {
      again = why
      return
    }
    reading = true
    try {
      const table = await IpCountries.read(file)
      if (table.counts.v4 + table.counts.v6 === 0) throw new Error(`${file}: no ranges of addresses`)
      if (!stopped) countries.replace(table)
      logger.info({ why, file, ranges: table.counts }, 'country table reloaded')
    } catch (err) {
      logger.error(
        { why, file, err: (err as Error).message },
        'country table not reloaded; keeping the table in use',
      )
    } finally {
      reading = false
      const next = again
      again = undefined
      if (next && !stopped) void reload(next)
    }
  }
  const unwatch = watchVersions(file, countries.version, { pollMs: POLL_MS, settleMs: SETTLE_MS }, () =>
    reload('file changed'),
  )
  const onHup = () => void reload('SIGHUP')
  process.on('SIGHUP', onHup)
  return () => {
    stopped = true
    unwatch()
    process.off('SIGHUP', onHup)
  }
}
