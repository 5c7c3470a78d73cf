import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CollectorProcess, freePort, tempDir } from '../test/helpers/collector'
import { eventually } from '../test/helpers/http'
import { spoolDrained } from '../test/helpers/load'
import { BENCH_ENV, benchEmail, load, startBareServer, startBenchServer } from './load'
import { median } from './stats'

/**
 * How far the pixel can get on these cores while the embedded pipeline stores its opens: the bare GIF route, the
 * pixel without its token check and classification (bench/spool-only-server.ts: each open's record built and
 * appended to the real spool, loaded into chDB in the same process) and the collector's pixel, each a process of
 * its own under autocannon, in rounds (the order rotates between rounds), each run starting with the previous
 * one's backlog stored. The spool-only server's stored rows are checked against the opens it answered.
 *
 * `tsx bench/pixel-ceiling.ts [--rounds 3] [--seconds 10] [--connections 50]`
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
})
const rounds = Number(values.rounds)
const base = { duration: Number(values.seconds), connections: Number(values.connections) }

const stored = async (url: string) =>
  (await (await fetch(`${url}/stored`)).json()) as { stored: number; queuedBytes: number }

const collectorDir = tempDir('tp-bench-pixel-')
const collector = new CollectorProcess(collectorDir, await freePort(), BENCH_ENV)
await collector.start()
const bare = await startBareServer()
const spoolOnlyDir = tempDir('tp-bench-pixel-spool-')
const spoolOnly = await startBenchServer('bench/spool-only-server.ts', [spoolOnlyDir])
const { tracker, message } = benchEmail(collectorDir, collector.url)
const sides = {
  'bare GIF route': {
    run: () => load('bare GIF route', { ...base, url: `${bare.url}/gif/x` }, 1),
    idle: async () => {},
  },
  'pixel without check or classification': {
    run: () => load('pixel without check or classification', { ...base, url: `${spoolOnly.url}/gif/x` }, 1),
    idle: () =>
      eventually(
        () => stored(spoolOnly.url),
        (s) => s.queuedBytes === 0,
        600_000,
      ),
  },
  'collector pixel': {
    run: () => load('collector pixel', { ...base, url: tracker.pixelUrl(message) }, 1),
    idle: () => spoolDrained(collector.url, 600_000),
  },
}
type Side = keyof typeof sides
const names = Object.keys(sides) as Side[]
const rates = new Map<Side, number[]>(names.map((n) => [n, []]))
let answered = 0
let sent = 0
try {
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!)
    for (const name of order) {
      const figure = await sides[name].run()
      rates.get(name)!.push(figure.requestsPerSecond)
      if (name === 'pixel without check or classification') {
        answered += figure.ok
        sent += figure.sent
      }
      await sides[name].idle()
    }
  }
  const { stored: rows } = await stored(spoolOnly.url)
  // requests in flight when a run stops may be stored without their answer being counted
  if (rows < answered || rows > sent)
    throw new Error(`spool-only server stored ${rows} opens, answered ${answered} (sent ${sent})`)
  const bareRates = rates.get('bare GIF route')!
  console.log(`\n${rounds} rounds of ${base.duration} s, ${base.connections} connections; req/s per round:`)
  for (const name of names) {
    const r = rates.get(name)!
    const ratios = r.map((x, i) => Math.round((100 * x) / bareRates[i]!))
    const ofBare =
      r === bareRates ? '' : `, of the bare route's ${ratios.join(', ')}% (median ${median(ratios)}%)`
    console.log(`  ${name.padEnd(38)} ${r.join(' · ').padEnd(24)} median ${median(r)}${ofBare}`)
  }
  console.log(`  the spool-only server stored ${rows} opens for ${answered} answered, every one`)
} finally {
  bare.child.kill('SIGKILL')
  spoolOnly.child.kill('SIGKILL')
  await collector.stop('SIGKILL')
  await new Promise((resolve) =>
    spoolOnly.child.exitCode === null ? spoolOnly.child.once('exit', resolve) : resolve(null),
  )
  for (const dir of [collectorDir, spoolOnlyDir]) rmSync(dir, { recursive: true, force: true })
}
