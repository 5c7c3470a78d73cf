import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CollectorProcess, freePort, keysIn, ROOT, tempDir } from '../test/helpers/collector'
import { BENCH_ENV, batch50, benchEmail, event, load, postRun, startBareServer } from './load'
import { median } from './stats'

/**
 * CPU time the collector spends per request, by thread: what a change to the request path saves, read with
 * less of the VM's noise than requests per second (which move by 30% between runs of the same code).
 *
 * `tsx bench/cpu-per-request.ts [--kinds single,pixel,redirect,batch] [--rounds 3] [--seconds 10] [--against DIR] [--bare]`
 *
 * Each round runs every kind against a fresh embedded collector (`touchpoint start`, the bench's raised rate
 * limits) for `seconds` under autocannon, 50 connections, and reads /proc/<pid>/task/<tid>/stat before and
 * after. With `--against`, another checkout (with its dependencies installed, e.g. a `git worktree` of the
 * commit before a change) runs alternately with this one, so both see the same drift. With `--bare`, the bare
 * Fastify server of the ingest bench runs each kind too (the GIF route for the pixel).
 *
 * Besides CPU, it reports how long the HTTP thread waited for a core per request (run_delay in
 * /proc/<pid>/task/<pid>/schedstat): time it was ready to run while other threads, its own process's or
 * autocannon's, held both cores. A CPU profile counts such waits in whatever call the thread was in, most
 * often a system call such as the socket write.
 */
const { values } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'single,pixel,redirect,batch' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    against: { type: 'string' },
    bare: { type: 'boolean', default: false },
  },
})
const KINDS = ['single', 'pixel', 'redirect', 'batch'] as const
const kinds = values.kinds.split(',') as Array<(typeof KINDS)[number]>
for (const k of kinds)
  if (!KINDS.includes(k)) throw new Error(`--kinds: ${k} is not one of ${KINDS.join(', ')}`)
const rounds = Number(values.rounds)
const seconds = Number(values.seconds)
/** What runs each kind: a checkout's collector, or (`bare`) the bare server. */
const trees: Array<{ name: string; root: string; bare?: boolean }> = [{ name: 'this checkout', root: ROOT }]
if (values.against) trees.unshift({ name: `against ${values.against}`, root: resolve(values.against) })
if (values.bare) trees.push({ name: 'the bare server', root: ROOT, bare: true })

const TICKS_PER_SECOND = 100 // USER_HZ on Linux
/** CPU seconds of each thread of a process, by thread id. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // utime and stime, fields 14 and 15 of stat(5)
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND)
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out
}
const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0)
/** Seconds a thread has waited on a run queue, ready to run (schedstat's second field, in ns). */
const waitedSeconds = (pid: number): number =>
  Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9

interface Sample {
  requestsPerSecond: number
  /** µs of CPU per answered request: the HTTP (main) thread, and every thread of the collector */
  mainUs: number
  processUs: number
  /** µs per answered request that the HTTP thread waited, ready to run, for a core */
  waitUs: number
  /** µs of CPU per answered request in this process, which runs autocannon: the load generator's share */
  loadUs: number
}

interface Target {
  url: string
  pid: number
  /** the bare server reads no key; it gets the same header, as in the ingest bench */
  writeKey: string
  pixelUrl: () => string
  clickUrl: () => string
  stop(): Promise<void>
}

async function start(tree: (typeof trees)[number]): Promise<Target> {
  if (tree.bare) {
    const bare = await startBareServer()
    return {
      url: bare.url,
      pid: bare.child.pid!,
      writeKey: 'tp_write_the_bare_server_reads_no_key',
      pixelUrl: () => `${bare.url}/gif/x`,
      clickUrl: () => `${bare.url}/r/x`,
      stop: async () => void bare.child.kill('SIGKILL'),
    }
  }
  const dir = tempDir('tp-bench-cpu-')
  const collector = new CollectorProcess(dir, await freePort(), BENCH_ENV, tree.root)
  await collector.start()
  return {
    url: collector.url,
    pid: collector.child!.pid!,
    writeKey: keysIn(dir).writeKey,
    pixelUrl: () => {
      const { tracker, message } = benchEmail(dir, collector.url)
      return tracker.pixelUrl(message)
    },
    clickUrl: () => {
      const { tracker, message } = benchEmail(dir, collector.url)
      return tracker.linkUrl('https://shop.example/sale', message)
    },
    stop: async () => void (await collector.stop('SIGKILL')),
  }
}

async function measure(
  tree: (typeof trees)[number],
  kind: (typeof kinds)[number],
  label: string,
): Promise<Sample> {
  const target = await start(tree)
  try {
    const run = { seconds, connections: 50 }
    const pid = target.pid
    const before = threadSeconds(pid)
    const waitedBefore = waitedSeconds(pid)
    const loadBefore = threadSeconds(process.pid)
    let figure: Awaited<ReturnType<typeof load>>
    if (kind === 'pixel') {
      figure = await load(label, { url: target.pixelUrl(), duration: seconds, connections: 50 }, 1)
    } else if (kind === 'redirect') {
      figure = await load(label, { url: target.clickUrl(), duration: seconds, connections: 50 }, 1, '3xx')
    } else {
      const [path, body, n] = kind === 'single' ? ['track', event, 1] : ['batch', batch50, 50]
      figure = await load(label, postRun(`${target.url}/v1/${path}`, target.writeKey, body, run), n)
    }
    const after = threadSeconds(pid)
    const waited = waitedSeconds(pid) - waitedBefore
    const loadAfter = threadSeconds(process.pid)
    const requests = figure.ok
    const main = (after.get(String(pid)) ?? 0) - (before.get(String(pid)) ?? 0)
    return {
      requestsPerSecond: figure.requestsPerSecond,
      mainUs: Math.round((main * 1e6) / requests),
      processUs: Math.round(((sum(after) - sum(before)) * 1e6) / requests),
      waitUs: Math.round((waited * 1e6) / requests),
      loadUs: Math.round(((sum(loadAfter) - sum(loadBefore)) * 1e6) / requests),
    }
  } finally {
    await target.stop()
  }
}

const samples = new Map<string, Sample[]>()
for (let r = 0; r < rounds; r++) {
  for (const kind of kinds) {
    for (const tree of trees) {
      const s = await measure(tree, kind, `${kind}, ${tree.name}, round ${r + 1}`)
      const key = `${kind}\t${tree.name}`
      samples.set(key, [...(samples.get(key) ?? []), s])
    }
  }
}
console.log(JSON.stringify({ seconds, rounds, samples: Object.fromEntries(samples) }))
console.log(
  'kind\tcode\treq/s (median)\tmain thread µs/request\tprocess µs/request\tmain thread waited µs/request\tautocannon µs/request\tper round (main)',
)
for (const [key, s] of samples) {
  const main = s.map((x) => x.mainUs)
  const m = (f: (x: Sample) => number) => median(s.map(f))
  console.log(
    `${key}\t${m((x) => x.requestsPerSecond)}\t${median(main)}\t${m((x) => x.processUs)}\t${m((x) => x.waitUs)}\t${m((x) => x.loadUs)}\t${main.join(' · ')}`,
  )
}
