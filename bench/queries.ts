import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Analytics, generateSynthetic } from '@touchpoint/analytics'
import { createClickHouse, migrate, TABLES } from '@touchpoint/clickhouse'

export interface QueryFigure {
  name: string
  runs: number
  medianMs: number
  minMs: number
  maxMs: number
  note?: string
}

export interface QueryBench {
  events: number
  generateMs: number
  figures: QueryFigure[]
}

const PROJECT = 'bench'
const log = (line: string) => process.stderr.write(`  ${line}\n`)
const FROM = '2026-06-01'
const TO = '2026-07-01'
const STEPS = [
  { event: 'Page Viewed', filters: [{ property: 'path', op: 'eq' as const, value: '/pricing' }] },
  { event: 'Signup Started' },
  { event: 'Signed Up' },
  { event: 'Order Completed' },
]

async function time(name: string, runs: number, fn: () => Promise<string | undefined>): Promise<QueryFigure> {
  const ms: number[] = []
  let note: string | undefined
  const w = performance.now()
  await fn() // warm-up: caches and JIT, not counted
  log(`${name}: warm-up ${(performance.now() - w).toFixed(0)} ms`)
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    note = await fn()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return {
    name,
    runs,
    medianMs: ms[Math.floor(ms.length / 2)] as number,
    minMs: ms[0] as number,
    maxMs: ms[ms.length - 1] as number,
    ...(note ? { note } : {}),
  }
}

/** Analytics on synthetic events in the embedded engine (chDB in this process). */
export async function benchQueries(events: number, runs = 5): Promise<QueryBench> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-queries-'))
  const ch = await createClickHouse({ dataDir: dir })
  try {
    await migrate(ch)
    const t0 = performance.now()
    await generateSynthetic(ch, { project: PROJECT, events, from: new Date(`${FROM}T00:00:00Z`), days: 30 })
    await ch.client.command({ query: `OPTIMIZE TABLE ${TABLES.events} FINAL` })
    const generateMs = performance.now() - t0
    log(`generated ${events} events in ${(generateMs / 1000).toFixed(1)} s`)
    const analytics = new Analytics(ch)
    const range = { project: PROJECT, from: FROM, to: TO }
    const figures: QueryFigure[] = []
    figures.push(
      await time('funnel, 4 steps, ordered', runs, async () => {
        const r = await analytics.funnel({ ...range, steps: STEPS, window: '7d' })
        return `people ${r.steps.map((s) => s.people).join(' → ')}`
      }),
    )
    figures.push(
      await time('funnel, 4 steps, breakdown by channel', runs, async () => {
        const r = await analytics.funnel({ ...range, steps: STEPS, window: '7d', breakdown: 'channel' })
        return `${r.breakdown?.length} values`
      }),
    )
    figures.push(
      await time('attribution, all 7 models', runs, async () => {
        const r = await analytics.attribution({
          ...range,
          conversion: { event: 'Order Completed' },
          model: 'all',
        })
        return `${r.conversions} conversions`
      }),
    )
    figures.push(
      await time('customer profile', runs, async () => {
        const p = await analytics.profile({ project: PROJECT, person: 'u12345' })
        return `${p?.events ?? 0} events`
      }),
    )
    return { events, generateMs, figures }
  } finally {
    await ch.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
