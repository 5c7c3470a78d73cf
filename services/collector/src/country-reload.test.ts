import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/collector'
import { eventually } from '../../../test/helpers/http'
import { CountryTable, watchCountries } from './country-reload'

/** watchCountries on a real file: what a reload takes, what it refuses, and what it logs. */
const logged: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = []
const logger = {
  info: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'info', fields, msg }),
  error: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'error', fields, msg }),
} as unknown as FastifyBaseLogger
const stops: Array<() => void> = []
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
  logged.length = 0
})

/** A table file and a watched CountryTable read from it. */
function watched(text: string) {
  const dir = tempDir()
  const file = join(dir, 'countries.csv')
  writeFileSync(file, text)
  const countries = CountryTable.load(file)
  stops.push(watchCountries(countries, logger))
  /** replaces the file as a download script should: written beside it, then renamed over it */
  const replace = (next: string) => {
    writeFileSync(`${file}.new`, next)
    renameSync(`${file}.new`, file)
  }
  return { file, countries, replace }
}
const logOf = async (level: string, count = 1) =>
  eventually(
    async () => logged.filter((l) => l.level === level),
    (l) => l.length >= count,
  )

describe('reloading the country table', () => {
  it('takes a replaced file once it has stopped changing, without a restart', async () => {
    const { file, countries, replace } = watched('198.51.100.0,198.51.100.255,NZ\n')
    expect(countries.lookup('198.51.100.7')).toBe('NZ')
    replace('198.51.100.0,198.51.100.255,AU\n2001:db8::,2001:db8::ffff,JP\n')
    const [info] = await logOf('info')
    expect(info).toMatchObject({
      msg: 'country table reloaded',
      fields: { why: 'file changed', file, ranges: { v4: 1, v6: 1 } },
    })
    expect(countries.lookup('198.51.100.7')).toBe('AU')
    expect(countries.lookup('2001:db8::1')).toBe('JP')
    expect(countries.counts).toEqual({ v4: 1, v6: 1 })
  })

  it('keeps the table in use when the new one does not read, or reads no ranges, naming the line', async () => {
    const { file, countries, replace } = watched('198.51.100.0,198.51.100.255,NZ\n')
    replace('198.51.100.0,198.51.100.255,AU\n198.51.100.0 AU\n')
    const [broken] = await logOf('error')
    expect(broken).toMatchObject({
      msg: 'country table not reloaded; keeping the table in use',
      fields: { why: 'file changed' },
    })
    expect(broken!.fields.err).toBe(
      `${file}, line 2: expected DB-IP's IP to Country Lite or City Lite CSV (first,last,country / first,last,continent,country,…) or IP2Location's LITE CSV ("first","last","country",…)`,
    )
    expect(countries.lookup('198.51.100.7')).toBe('NZ')
    // a download cut short before its first range (a header alone): refused too
    replace('ip_start,ip_end,country\n')
    const [, empty] = await logOf('error', 2)
    expect(empty!.fields.err).toBe(`${file}: no ranges of addresses`)
    expect(countries.lookup('198.51.100.7')).toBe('NZ')
  })

  it('reads the file at once on SIGHUP', async () => {
    const { countries } = watched('198.51.100.0,198.51.100.255,NZ\n')
    const other = watched('203.0.113.0,203.0.113.255,FR\n')
    // written in place, and signalled before the change could settle
    writeFileSync(other.file, '203.0.113.0,203.0.113.255,BE\n')
    process.emit('SIGHUP', 'SIGHUP')
    const infos = await logOf('info', 2)
    expect(infos.map((l) => l.fields.why)).toEqual(['SIGHUP', 'SIGHUP'])
    expect(other.countries.lookup('203.0.113.9')).toBe('BE')
    expect(countries.lookup('198.51.100.7')).toBe('NZ')
  })
})
