import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { CollectorProcess, freePort, keysIn, ROOT, tempDir } from '../test/helpers/collector'
import { sql } from '../test/helpers/http'
import { metricValue } from '../test/helpers/load'
import { BENCH_ENV, batch50, postRun, statusMiB } from './load'

/**
 * Memory of an embedded collector under a steady load: whether it settles or keeps growing with the events it
 * has taken, which a 10-second run cannot show.
 *
 * `tsx bench/steady-memory.ts [--minutes 4] [--rate 200] [--checkout DIR]`
 *
 * A fresh collector (`touchpoint start`, from this checkout or DIR) takes `rate` 50-event batches a second for
 * `minutes`; every 10 s the script prints its resident memory (all threads, from /proc), its peak so far, the
 * resident memory's two parts (the process's own, and mapped files': mostly chDB's library), the main thread's JS
 * heap in use (from /metrics), the memory chDB itself tracks (system.metrics) and the events loaded (/metrics).
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '4' },
    rate: { type: 'string', default: '200' },
    checkout: { type: 'string' },
  },
})
const dir = tempDir('tp-bench-memory-')
const collector = new CollectorProcess(
  dir,
  await freePort(),
  BENCH_ENV,
  values.checkout ? resolve(values.checkout) : ROOT,
)
await collector.start()
const pid = collector.child!.pid!
const MiB = 1024 * 1024
const started = Date.now()
console.log('seconds\tRSS MiB\tpeak RSS MiB\town MiB\tfiles MiB\tJS heap MiB\tchDB MiB\tevents loaded')
const { adminKey } = keysIn(dir)
/** What chDB's global memory tracker counts as allocated (system.metrics MemoryTracking). */
const chdbMiB = async () => {
  const [row] = await sql<{ value: string }>(
    collector.url,
    adminKey,
    "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'",
  )
  return Math.round(Number(row!.value) / MiB)
}
let sampling: Promise<void> = Promise.resolve()
const sample = async () => {
  const heap = Math.round((await metricValue(collector.url, 'nodejs_heap_size_used_bytes')) / MiB)
  const loaded = await metricValue(collector.url, 'touchpoint_events_loaded_total')
  const seconds = Math.round((Date.now() - started) / 1000)
  const parts = `${statusMiB(pid, 'RssAnon')}\t${statusMiB(pid, 'RssFile')}`
  console.log(
    `${seconds}\t${statusMiB(pid, 'VmRSS')}\t${statusMiB(pid, 'VmHWM')}\t${parts}\t${heap}\t${await chdbMiB()}\t${loaded}`,
  )
}
const sampler = setInterval(() => {
  sampling = sample()
}, 10_000)
const run = postRun(`${collector.url}/v1/batch`, keysIn(dir).writeKey, batch50, {
  seconds: Number(values.minutes) * 60,
  connections: 10,
})
const result = await autocannon({ ...run, overallRate: Number(values.rate) })
clearInterval(sampler)
await sampling // the last sample finishes before the collector stops
console.log(`${result['2xx']} batches answered 2xx, ${result.non2xx} other answers, ${result.errors} errors`)
await collector.stop('SIGKILL')
