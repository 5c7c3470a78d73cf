/**
 * What redacting a call's URLs costs the request path (enrich/redact.ts): `redactCall` on the bench's tp.js event
 * (a page URL with three campaign tags, its search, referrer, path and title), in a tight loop on one thread.
 * `tsx bench/redact-cost.ts [calls] [rounds]`; docs/performance.md has the figures.
 */
import { redactCall } from '../services/collector/src/enrich/redact'
import { event } from './load'
import { median } from './stats'

const calls = Number(process.argv[2] ?? 200_000)
const rounds = Number(process.argv[3] ?? 7)
const inputs = Array.from({ length: calls }, () => structuredClone(event)) as Parameters<
  typeof redactCall
>[0][]
const perCall: number[] = []
let unchanged = 0
for (let round = 0; round < rounds; round++) {
  const started = process.hrtime.bigint()
  for (const call of inputs) if (redactCall(call) === call) unchanged++
  perCall.push(Number(process.hrtime.bigint() - started) / calls)
}
// the first round warms the JIT up
console.log(
  `redactCall: median ${median(perCall.slice(1)).toFixed(0)} ns a call over ${rounds - 1} rounds of ${calls}`,
  `(rounds: ${perCall.map((ns) => ns.toFixed(0)).join(', ')} ns; ${unchanged / rounds} of ${calls} unchanged)`,
)
