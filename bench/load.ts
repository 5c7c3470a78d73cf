import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEmailTracker } from '@touchpoint/node'
import autocannon from 'autocannon'
import { ROOT } from '../test/helpers/collector'
import { basic, CHROME_UA } from '../test/helpers/http'
import { cpuShares, cpuTicks } from './machine'
import { steadyLoad } from './steady-load'

export interface LoadFigure {
  name: string
  requestsPerSecond: number
  eventsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
  /** the machine's cores' time during the run: idle (with iowait), and stolen by the hypervisor (Linux only) */
  idlePct?: number
  stealPct?: number
  /** open-loop runs: p99 of the requests scheduled in each second (bench/steady-load.ts) */
  p99BySecondMs?: number[]
}

const log = (line: string) => process.stderr.write(`  ${line}\n`)

/**
 * Every benchmark sends from one address with one key, far past the default rate limits. The limits are raised
 * out of reach rather than turned off, so their cost on each request is part of what is measured.
 */
export const BENCH_ENV = { RATE_LIMIT_PER_IP: '1000000000', RATE_LIMIT_PER_KEY: '1000000000' }

/** A browser's request as the collector sees it, for the benchmarks that build rows without HTTP. */
export const browserFacts = () => ({
  projectId: 'bench',
  trusted: false,
  source: 'browser' as const,
  receivedAt: Date.now(),
  ip: '203.0.113.7',
  userAgent: CHROME_UA,
  sentAt: undefined,
})

const PAGE_SEARCH = '?utm_source=newsletter&utm_medium=email&utm_campaign=spring'
/**
 * The benchmarks' event, shaped as tp.js sends one (packages/browser/src/core.ts): the page with its campaign
 * tags, the session, locale, screen and library, so the collector validates and enriches what a browser's event
 * carries, and storage fills the session parts' view. Every request sends the same body, so all events share one
 * session and the view writes one row per insert; `bench/session-parts-cost.ts` measures it at five events a
 * session. No messageId: the same one on every request would make them all one event.
 */
export const event = {
  type: 'track',
  event: 'Bench Event',
  anonymousId: 'bench-anon',
  properties: { plan: 'pro', n: 1 },
  context: {
    page: {
      url: `https://shop.example/pricing${PAGE_SEARCH}`,
      path: '/pricing',
      search: PAGE_SEARCH,
      title: 'Pricing · Shop',
      referrer: 'https://www.google.com/',
    },
    sessionId: 'bench-session',
    locale: 'en-US',
    screen: { width: 1920, height: 1080 },
    library: { name: 'tp.js', version: '0.1.0' },
  },
}
export const batch50 = { batch: Array.from({ length: 50 }, () => event) }

/**
 * The email tracker of the dev project a benchmark's collector created in `dataDir`, and the one message every
 * pixel and redirect run signs.
 */
export function benchEmail(dataDir: string, baseUrl: string) {
  const project = JSON.parse(readFileSync(join(dataDir, 'touchpoint.json'), 'utf8')).projects[0]
  const tracker = createEmailTracker({ baseUrl, projectId: project.id, keys: project.email.keys })
  return { tracker, message: { campaignId: 'bench', messageId: 'bench-1', recipient: 'customer-1' } }
}

/** An autocannon run that POSTs one JSON body with the write key, as the ingest and Kafka sections both do. */
export function postRun(
  url: string,
  writeKey: string,
  body: unknown,
  run: { seconds: number; connections: number },
): autocannon.Options {
  return {
    url,
    duration: run.seconds,
    connections: run.connections,
    method: 'POST',
    headers: { authorization: basic(writeKey), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}

/** One autocannon run; `ok` and `sent` count requests answered 2xx and requests sent. */
export async function load(
  name: string,
  opts: autocannon.Options,
  eventsPerRequest: number,
  /** the answer that counts as success: 2xx, or 3xx for a redirect (autocannon does not follow it) */
  success: '2xx' | '3xx' = '2xx',
): Promise<LoadFigure & { ok: number; sent: number }> {
  const before = cpuTicks()
  const r = await autocannon({ ...opts, headers: { 'user-agent': CHROME_UA, ...opts.headers } })
  const cpu = cpuShares(before, cpuTicks())
  const ok = r[success]
  const figure = {
    name,
    requestsPerSecond: Math.round(ok / r.duration),
    eventsPerSecond: Math.round((ok * eventsPerRequest) / r.duration),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx - (success === '3xx' ? r['3xx'] : 0),
    ...cpu,
    ok,
    // requests still in flight when the run stops may be stored without their answer being counted
    sent: r.requests.sent,
  }
  const machine = cpu ? `; cores idle ${cpu.idlePct}%, stolen ${cpu.stealPct}%` : ''
  log(`${name}: ${figure.requestsPerSecond} req/s, p99 ${figure.p99Ms} ms, errors ${figure.errors}${machine}`)
  return figure
}

/**
 * An open-loop run of autocannon's options at a steady `rate` (bench/steady-load.ts): each request's latency
 * counts from its time in an even schedule, so a stall shows in every request that came due during it. Each
 * request carries one event.
 */
export async function steady(
  name: string,
  opts: autocannon.Options,
  rate: number,
): Promise<LoadFigure & { ok: number; sent: number }> {
  const seconds = Number(opts.duration)
  const before = cpuTicks()
  const r = await steadyLoad(
    {
      url: String(opts.url),
      method: opts.method ?? 'GET',
      headers: { 'user-agent': CHROME_UA, ...(opts.headers as Record<string, string>) },
      body: opts.body === undefined ? undefined : String(opts.body),
    },
    { rate, seconds, connections: opts.connections ?? 10 },
  )
  const cpu = cpuShares(before, cpuTicks())
  const figure = {
    name,
    requestsPerSecond: Math.round(r.ok / seconds),
    eventsPerSecond: Math.round(r.ok / seconds),
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    errors: r.errors,
    ...cpu,
    p99BySecondMs: r.p99BySecondMs,
    ok: r.ok,
    sent: r.sent,
  }
  const machine = cpu ? `; cores idle ${cpu.idlePct}%, stolen ${cpu.stealPct}%` : ''
  log(
    `${name}: ${figure.requestsPerSecond} req/s, p99 ${figure.p99Ms} ms (max ${r.maxMs}; by second ${r.p99BySecondMs.map(Math.round).join(', ')}), errors ${r.errors}${machine}`,
  )
  return figure
}

/**
 * A memory figure of a process in MiB, from /proc/<pid>/status (Linux): VmRSS now, VmHWM its peak so far, and
 * of VmRSS, RssAnon (the process's own memory) and RssFile (pages of mapped files, such as chDB's library).
 */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024)
}

/** Peak resident memory of a process. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmHWM')

/** A bench server script (bench/*.ts) in a process of its own, once it prints `ready <port>`. */
export async function startBenchServer(
  script: string,
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d))
      if (m) res(Number(m[1]))
    })
    child.on('exit', (code) => rej(new Error(`${script} exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

/** bench/bare-server.ts in a process of its own: the reference the collector is measured against. */
export const startBareServer = () => startBenchServer('bench/bare-server.ts')
