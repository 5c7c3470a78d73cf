/**
 * What looking up an address's country costs (enrich/ip-country.ts, GEOIP_COUNTRY_CSV): reading a table the size of
 * DB-IP's country lite CSV (about 350,000 IPv4 and 250,000 IPv6 ranges; synthetic here, in its format), the memory
 * it holds, a look-up on the request path, IPv4 and IPv6, in a tight loop on one thread, and a reload while the
 * collector runs (IpCountries.read): how long it takes and the longest it holds the event loop.
 * `node --expose-gc --import tsx bench/ip-country-cost.ts [v4 ranges] [v6 ranges] [rounds]`; docs/performance.md
 * has the figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { IpCountries } from '../services/collector/src/enrich/ip-country'
import { median } from './stats'

const v4Ranges = Number(process.argv[2] ?? 350_000)
const v6Ranges = Number(process.argv[3] ?? 250_000)
const rounds = Number(process.argv[4] ?? 7)
const CODES = ['DE', 'FR', 'US', 'NZ', 'JP', 'BR', 'IN', 'ZZ']
const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
const v6 = (hi: bigint) => {
  const hex = hi.toString(16).padStart(16, '0')
  return `${hex.match(/.{4}/g)!.join(':')}::`
}
const lines: string[] = []
const v4Step = Math.floor(2 ** 32 / v4Ranges)
for (let i = 0; i < v4Ranges; i++)
  lines.push(`${v4(i * v4Step)},${v4(i * v4Step + v4Step - 1)},${CODES[i % 8]}`)
const v6Base = 0x2000_0000_0000_0000n
const v6Step = 2n ** 60n / BigInt(v6Ranges)
for (let i = 0n; i < BigInt(v6Ranges); i++) {
  const start = v6Base + i * v6Step
  lines.push(
    `${v6(start)},${v6(start + v6Step - 1n).replace(/::$/, ':ffff:ffff:ffff:ffff')},${CODES[Number(i % 8n)]}`,
  )
}
const text = lines.join('\n')
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
gc()
const heapBefore = process.memoryUsage()
const started = process.hrtime.bigint()
const table = IpCountries.parse(text)
const parseMs = Number(process.hrtime.bigint() - started) / 1e6
// what the table keeps, once what reading it made is collected (run with --expose-gc, as the usage line says)
gc()
const heapAfter = process.memoryUsage()
const mib = (b: number) => (b / 1024 / 1024).toFixed(1)

const probes = 200_000
const ipv4s = Array.from({ length: probes }, () => v4(Math.floor(Math.random() * 2 ** 32)))
const ipv6s = Array.from(
  { length: probes },
  (_, i) => `2${(i % 0xfff).toString(16).padStart(3, '0')}:db8:${(i % 0xffff).toString(16)}::1`,
)
const perLookup = (ips: string[]) => {
  const ns: number[] = []
  let found = 0
  for (let round = 0; round < rounds; round++) {
    const t = process.hrtime.bigint()
    for (const ip of ips) if (table.lookup(ip)) found++
    ns.push(Number(process.hrtime.bigint() - t) / ips.length)
  }
  // the first round warms the JIT up
  return { median: median(ns.slice(1)), rounds: ns, found: found / rounds }
}
const a = perLookup(ipv4s)
const b = perLookup(ipv6s)
// a reload: the same table read from a file in slices, while a timer measures how late each turn of the loop runs
const file = join(mkdtempSync(join(tmpdir(), 'tp-countries-')), 'countries.csv')
writeFileSync(file, text)
const delay = monitorEventLoopDelay({ resolution: 1 })
delay.enable()
const reloadStarted = process.hrtime.bigint()
const reloaded = await IpCountries.read(file)
const reloadMs = Number(process.hrtime.bigint() - reloadStarted) / 1e6
delay.disable()
rmSync(dirname(file), { recursive: true })
if (reloaded.counts.v4 !== table.counts.v4) throw new Error('the reload read another table')

console.log(
  `read ${table.counts.v4} IPv4 and ${table.counts.v6} IPv6 ranges (${mib(text.length)} MiB of CSV) in ${parseMs.toFixed(0)} ms;`,
  `heap +${mib(heapAfter.heapUsed - heapBefore.heapUsed)} MiB, array buffers +${mib(heapAfter.arrayBuffers - heapBefore.arrayBuffers)} MiB`,
)
console.log(
  `IPv4 look-up: median ${a.median.toFixed(0)} ns (${a.rounds.map((x) => x.toFixed(0)).join(', ')}); ${a.found} of ${probes} found`,
)
console.log(
  `IPv6 look-up: median ${b.median.toFixed(0)} ns (${b.rounds.map((x) => x.toFixed(0)).join(', ')}); ${b.found} of ${probes} found`,
)
console.log(
  `reload (IpCountries.read, in slices): ${reloadMs.toFixed(0)} ms; the event loop held at most ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
)
