/**
 * What checking a call against its project's tracking plan costs the request path (schema/tracking-plan.ts): a
 * track call whose event names three rules (an enum, bounds, a pattern) and closes its properties, checked in a
 * tight loop on one thread, beside validating the same call (validateEvent), which every call pays. With
 * `--lines N`, the call also carries a list of N cart lines, each checked against an item rule of its own (a
 * required sku with a pattern, a price with a minimum, nothing else).
 * `tsx bench/tracking-plan-cost.ts [calls] [rounds] [--backtracking] [--lines N]`; docs/performance.md has the figures.
 */
import { linearRegExp } from '../packages/analytics/src/linear-regexp'
import { compilePlan, trackingPlan, validateEvent } from '../packages/schema/src/index'
import { median } from './stats'

const linesAt = process.argv.indexOf('--lines')
const lines = linesAt > 0 ? Number(process.argv[linesAt + 1]) : 0
const numbers = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--lines')
const calls = Number(numbers[0] ?? 1_000_000)
const rounds = Number(numbers[1] ?? 7)
// the patterns on V8's linear-time engine, as the collector compiles them (`--backtracking`: JavaScript's own)
const backtracking = process.argv.includes('--backtracking')
const checker = compilePlan(
  trackingPlan.parse({
    events: {
      'Plan Selected': {
        properties: {
          plan: { type: 'string', required: true, enum: ['basic', 'summit'] },
          seats: { type: 'integer', minimum: 1, maximum: 500 },
          coupon: { type: ['string', 'null'], pattern: '^[A-Z0-9]{4,12}$' },
          ...(lines > 0 && {
            lines: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  sku: { type: 'string', required: true, pattern: '^[A-Z0-9-]{4,16}$' },
                  price: { type: 'number', minimum: 0 },
                },
                additionalProperties: false,
              },
            },
          }),
        },
        additionalProperties: false,
      },
    },
    allowUnplannedEvents: false,
  }),
  backtracking ? undefined : linearRegExp,
)
const raw = {
  type: 'track',
  event: 'Plan Selected',
  anonymousId: 'a-1',
  messageId: 'm-1',
  properties: {
    plan: 'summit',
    seats: 3,
    coupon: 'WINTER26',
    ...(lines > 0 && { lines: Array.from({ length: lines }, (_, i) => ({ sku: `SKU-${i}`, price: 9.5 })) }),
  },
  context: { page: { url: 'https://shop.example/pricing' } },
}
const validated = validateEvent(raw)
if (!validated.ok) throw new Error('the call does not validate')
const check: number[] = []
const validate: number[] = []
let issues = 0
for (let round = 0; round < rounds; round++) {
  let started = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) issues += checker.issues(validated.event).length
  check.push(Number(process.hrtime.bigint() - started) / calls)
  started = process.hrtime.bigint()
  for (let i = 0; i < calls / 10; i++) validateEvent(raw)
  validate.push(Number(process.hrtime.bigint() - started) / (calls / 10))
}
if (issues) throw new Error('the call should keep to the plan')
// the first round warms the JIT up
const ns = (xs: number[]) =>
  `${median(xs.slice(1)).toFixed(0)} ns (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})`
console.log(
  `plan check (${backtracking ? 'backtracking' : 'linear-time'} patterns${lines ? `, ${lines} lines` : ''}): median ${ns(check)}\nvalidateEvent: median ${ns(validate)}`,
)
