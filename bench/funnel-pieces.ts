import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Analytics } from '@touchpoint/analytics'
import { createClickHouse } from '@touchpoint/clickhouse'
import { FROM, generateBenchEvents, PROJECT, type Queried, recordQueries, STEPS, TO } from './queries'
import { median } from './stats'

/**
 * Where the 4-step funnel's time goes: the query the funnel sends, and the same query without its pieces, run
 * alternately on one data directory. `tsx bench/funnel-pieces.ts [--data DIR] [--events N] [--runs 3]
 * [--against CHECKOUT]` With `--data`, a directory the queries bench's events are already in (one kept by
 * `--keep` in an earlier run); without it, 10M events are generated into a temporary one (about 2.5 minutes on 2
 * cores). With `--against`, the funnel's SQL as another checkout (e.g. a `git worktree` of an earlier commit, its
 * dependencies installed) writes it runs alongside, and must give the same answer.
 */
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    events: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    against: { type: 'string' },
  },
})
const dir = values.data ?? mkdtempSync(join(tmpdir(), 'tp-bench-funnel-'))
const ch = await createClickHouse({ dataDir: dir })
if (!values.data) {
  await generateBenchEvents(ch, Number(values.events))
  if (values.keep) process.stderr.write(`  data kept in ${dir}: --data ${dir} reuses it\n`)
}

/** The one query a checkout's funnel sends for the bench's 4 steps. */
async function funnelSql(analytics: typeof Analytics): Promise<Queried> {
  const recorded = recordQueries(ch)
  try {
    await new analytics(ch).funnel({ project: PROJECT, from: FROM, to: TO, steps: STEPS, window: '7d' })
  } finally {
    recorded.restore()
  }
  const sent = recorded.take()
  const [funnel] = sent
  if (sent.length !== 1 || !funnel) throw new Error(`the funnel sent ${sent.length} queries, not one`)
  return funnel
}
const funnel = await funnelSql(Analytics)
const against = values.against
  ? await funnelSql(
      (await import(join(resolve(values.against), 'packages/analytics/src/index.ts')))
        .Analytics as typeof Analytics,
    )
  : undefined

/** Replaces `from` in the SQL, and fails loudly when the funnel's SQL no longer has it. */
function without(sql: string, from: RegExp, to: string): string {
  if (!from.test(sql)) throw new Error(`the funnel's SQL no longer matches ${from}`)
  return sql.replace(from, to)
}
/** The step arrays grouped by person, without the chains built on them (so without levels or times). */
const noChain = (sql: string) =>
  without(
    sql,
    /SELECT person, bd, arrayMap\(\(t1, x2[\s\S]*? AS chain, arrayCount\(x -> x > 0, chain\) AS level\s*FROM \(SELECT \*, arrayMap\(\(t1, c\)[\s\S]*? AS c\d+ FROM \(/,
    'SELECT person, bd, [toUInt64(0)] AS chain, toUInt8(1) AS level FROM (SELECT * FROM (',
  )
const noJoin = (sql: string) =>
  without(
    without(
      sql,
      /LEFT JOIN \(SELECT cityHash64\(anonymous_id\)[\s\S]*?AS m ON m\.anon_h = e\.anonymous_id_hash/,
      '',
    ),
    /if\(m\.mapped_h != 0, m\.mapped_h, e\.anonymous_id_hash\)/,
    'e.anonymous_id_hash',
  )
/** The level counted by windowFunnel beside the chains, as the funnel did before the chains gave it. */
const windowFunnelLevel = (sql: string) => {
  const window = /y <= t1 \+ (\{p\d+:UInt64\})/.exec(sql)?.[1]
  if (!window) throw new Error("the funnel's SQL no longer has its window")
  const conds = STEPS.map((_, i) => `bitTest(step_mask, ${i})`)
  const levelled = without(sql, /, arrayCount\(x -> x > 0, chain\) AS level/, ', level')
  const passed = without(
    levelled,
    /SELECT person, bd, arrayMap\(x -> bitShiftRight/,
    'SELECT person, bd, level, arrayMap(x -> bitShiftRight',
  )
  const grouped = without(
    passed,
    /SELECT person, '' AS bd, arraySort/,
    `SELECT person, '' AS bd, windowFunnel(${window})(ts, ${conds.join(', ')}) AS level, arraySort`,
  )
  return without(grouped, /WHERE notEmpty\(s1\)/, 'WHERE level > 0')
}
const AS_SENT = 'the funnel as sent'
const WINDOW_FUNNEL = 'the level by windowFunnel too'
const AGAINST = `the funnel as ${values.against} sends it`
const ours = (query: string): Queried => ({ query, query_params: funnel.query_params })
const pieces: Record<string, Queried> = {
  [AS_SENT]: funnel,
  ...(against ? { [AGAINST]: against } : {}),
  [WINDOW_FUNNEL]: ours(windowFunnelLevel(funnel.query)),
  'without the chains (the step arrays alone)': ours(noChain(funnel.query)),
  'without the identity join': ours(noJoin(funnel.query)),
  'without both': ours(noChain(noJoin(funnel.query))),
}

const ms = new Map<string, number[]>()
const answers = new Map<string, string>()
for (let r = 0; r <= Number(values.runs); r++) {
  for (const [name, sql] of Object.entries(pieces)) {
    const t = performance.now()
    const rs = await ch.readonly.query({
      query: sql.query,
      query_params: sql.query_params,
      format: 'JSONEachRow',
      clickhouse_settings: ch.readonlySettings,
    })
    const rows = JSON.stringify(await rs.json())
    // the first round warms the caches and is not counted
    if (r > 0) ms.set(name, [...(ms.get(name) ?? []), performance.now() - t])
    else answers.set(name, rows)
  }
}
const asSent = answers.get(AS_SENT)
for (const name of [WINDOW_FUNNEL, ...(against ? [AGAINST] : [])])
  if (answers.get(name) !== asSent) throw new Error(`${name} answers differently from the funnel as sent`)
console.log('query\tmedian ms\truns')
for (const [name, xs] of ms)
  console.log(`${name}\t${median(xs).toFixed(0)}\t${xs.map((x) => x.toFixed(0)).join(' · ')}`)
await ch.close()
if (!values.data && !values.keep) rmSync(dir, { recursive: true, force: true })
