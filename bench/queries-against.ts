import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Analytics } from '@touchpoint/analytics'
import { createClickHouse, migrate } from '@touchpoint/clickhouse'
import { FROM, PROJECT, STEPS, TO } from './queries'
import { median } from './stats'

/**
 * The queries bench's analytics calls as this checkout makes them and as another checkout makes them, run
 * alternately on one data directory, with medians and a check that both give the same answers.
 * `tsx bench/queries-against.ts --data DIR --against CHECKOUT [--runs 3] [--only funnel,attribution]`
 * DIR holds the bench's events (`tsx bench/funnel-pieces.ts --keep` leaves one); it is migrated to this
 * checkout's schema first. CHECKOUT is e.g. a `git worktree` of an earlier commit with its dependencies installed.
 * Numbers in the answers are compared to 8 significant digits: summing in another order moves the last ones.
 */
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    against: { type: 'string' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
})
if (!values.data || !values.against) throw new Error('--data DIR and --against CHECKOUT are both required')
const ch = await createClickHouse({ dataDir: values.data })
await migrate(ch)
// a migration's background rewrites (MATERIALIZE COLUMN) finish before anything is timed
while (true) {
  const rs = await ch.client.query({
    query: 'SELECT count() AS n FROM system.mutations WHERE is_done = 0',
    format: 'JSONEachRow',
  })
  const [pending] = await rs.json<{ n: string }>()
  if (Number(pending?.n) === 0) break
  await new Promise((r) => setTimeout(r, 500))
}
const theirs = (await import(join(resolve(values.against), 'packages/analytics/src/index.ts')))
  .Analytics as typeof Analytics
const sides = { this: new Analytics(ch), [values.against]: new theirs(ch) }

const range = { project: PROJECT, from: FROM, to: TO }
const CALLS: Record<string, (a: Analytics) => Promise<unknown>> = {
  funnel: (a) => a.funnel({ ...range, steps: STEPS, window: '7d' }),
  breakdown: (a) => a.funnel({ ...range, steps: STEPS, window: '7d', breakdown: 'channel' }),
  attribution: (a) => a.attribution({ ...range, conversion: { event: 'Order Completed' }, model: 'all' }),
  traffic: (a) => a.traffic(range),
  orders: (a) => a.orders(range),
  profile: (a) => a.profile({ project: PROJECT, person: 'u12345' }),
}
const only = values.only?.split(',')
const calls = Object.entries(CALLS).filter(([name]) => !only || only.includes(name))

const rounded = (answer: unknown) =>
  JSON.stringify(answer, (_key, v) => (typeof v === 'number' ? Number(v.toPrecision(8)) : v))

console.log('query\tside\tmedian ms\truns')
for (const [name, call] of calls) {
  const ms = new Map<string, number[]>()
  const answers = new Map<string, string>()
  for (let r = 0; r <= Number(values.runs); r++) {
    for (const [side, analytics] of Object.entries(sides)) {
      const t = performance.now()
      const answer = rounded(await call(analytics))
      // the first round warms the caches and is not counted
      if (r > 0) ms.set(side, [...(ms.get(side) ?? []), performance.now() - t])
      else answers.set(side, answer)
    }
  }
  if (new Set(answers.values()).size !== 1) throw new Error(`${name}: the two checkouts answer differently`)
  for (const [side, xs] of ms)
    console.log(`${name}\t${side}\t${median(xs).toFixed(0)}\t${xs.map((x) => x.toFixed(0)).join(' · ')}`)
}
await ch.close()
