import { CollectorProcess, freePort, keysIn, tempDir } from '../test/helpers/collector'
import { event, load, postRun } from './load'
import { median } from './stats'

/**
 * What the rate limiter costs a single-event request: the collector with both limits raised out of reach (so
 * every request is counted and none refused) against the same collector with them off, alternating runs so
 * the VM's drift falls on both. `tsx bench/rate-limit-cost.ts [seconds] [rounds]`.
 */
const seconds = Number(process.argv[2] ?? 8)
const rounds = Number(process.argv[3] ?? 3)
const modes = {
  limited: { RATE_LIMIT_PER_IP: '1000000000', RATE_LIMIT_PER_KEY: '1000000000' },
  off: { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_KEY: '0' },
}
const results: Record<string, number[]> = { limited: [], off: [] }
for (let r = 0; r < rounds; r++) {
  for (const [mode, env] of Object.entries(modes)) {
    const dir = tempDir('tp-bench-limits-')
    const collector = new CollectorProcess(dir, await freePort(), env)
    await collector.start()
    try {
      const run = postRun(`${collector.url}/v1/track`, keysIn(dir).writeKey, event, {
        seconds,
        connections: 50,
      })
      results[mode]!.push((await load(`${mode}, round ${r + 1}`, run, 1)).requestsPerSecond)
    } finally {
      await collector.stop('SIGKILL')
    }
  }
}
const [on, off] = [median(results.limited!), median(results.off!)]
console.log(JSON.stringify({ seconds, rounds, limited: results.limited, off: results.off }))
console.log(
  `single events, median req/s: limits on ${on}, off ${off} (${(((on - off) / off) * 100).toFixed(1)}%)`,
)
