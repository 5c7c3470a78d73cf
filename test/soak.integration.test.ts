import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { CollectorProcess, ServiceProcess } from './helpers/collector'
import { expectExactlyOnce } from './helpers/exactly-once'
import { eventually } from './helpers/http'
import type { Broker } from './helpers/kafka'
import { type KafkaStack, startKafkaStack, stopKafkaStack } from './helpers/kafka-stack'
import { type LoadGenerator, metricValue } from './helpers/load'

/**
 * Soak: a steady load through Kafka for several minutes. First the collector, the ingester and the broker are
 * each killed with kill -9 twice, at random moments (seeded: SOAK_SEED repeats a run), and restarted; then the
 * same load runs without faults while each process's memory and the ingester group's members are sampled. At
 * the end every acknowledged event is stored exactly once, neither the collector's nor the ingester's memory
 * grew under the steady load, and the group had one member (the ingester's one consumer).
 * SOAK_CHAOS_SECONDS and SOAK_STEADY_SECONDS set the two phases (150 s each by default).
 */
const CHAOS_MS = Number(process.env.SOAK_CHAOS_SECONDS ?? 150) * 1000
const STEADY_MS = Number(process.env.SOAK_STEADY_SECONDS ?? 150) * 1000
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000)
const SAMPLE_MS = 3000

/** mulberry32: a small seeded generator, so a failing schedule can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A service's memory from its /metrics, in MiB: resident, and the JS heap in use. */
async function memoryMiB(url: string): Promise<{ rss: number; heap: number }> {
  const mib = async (name: string) => (await metricValue(url, name)) / 1024 / 1024
  return { rss: await mib('process_resident_memory_bytes'), heap: await mib('nodejs_heap_size_used_bytes') }
}

/**
 * How much memory may grow from the middle third of the steady phase to the last (the first third settles: a
 * restarted process warms up, an ingester catches up). The JS heap is where a leak of ours would show; it is
 * compared by its floor in each third (what the collections leave), since between collections it climbs by
 * tens of MiB whether anything leaks or not. Resident memory is compared by its median. The ingester's is
 * mostly its embedded ClickHouse, whose caches and merges move it by a hundred MiB either way, so it gets
 * more room; a leak still grows past it within minutes.
 */
const ROOM = {
  heap: { factor: 1.2, mib: 8 },
  rss: { factor: 1.15, mib: 16 },
  chdbRss: { factor: 1.3, mib: 48 },
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const log = (step: string) => console.log(`[soak] ${new Date().toISOString()} ${step}`)

let stack: KafkaStack
let broker: Broker
let collector: CollectorProcess
let ingester: ServiceProcess
let load: LoadGenerator
let ingesterDir: string

beforeAll(async () => {
  stack = await startKafkaStack(
    'soak',
    { concurrency: 4, pauseMs: 50, prefix: 's', event: 'Soak' },
    // the ingester's dedupe window grows until it holds DEDUPE_MAX_IDS ids (2,000,000 by default, an hour of
    // this load): a bound the chaos phase reaches, so the steady phase shows memory at its bound
    { DEDUPE_MAX_IDS: '50000' },
  )
  ;({ broker, collector, ingester, load, ingesterDir } = stack)
})

afterEach((ctx) => {
  // a failed run shows what the services said, restarts included
  if (ctx.task.result?.state === 'fail')
    console.log(`collector log:\n${collector.logTail()}\ningester log:\n${ingester.logTail(80)}`)
})

afterAll(() => stopKafkaStack(stack))

describe('soak', () => {
  it('keeps every acknowledged event exactly once through random kills, with memory flat', {
    timeout: CHAOS_MS + STEADY_MS + 360_000,
  }, async () => {
    const rand = random(SEED)
    log(`seed ${SEED} (SOAK_SEED=${SEED} repeats this schedule)`)
    const victims = ['collector', 'ingester', 'broker', 'collector', 'ingester', 'broker'] as const
    // SOAK_CHAOS_SECONDS=0 runs the steady phase alone
    const order = CHAOS_MS > 0 ? [...victims] : []
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    const slot = CHAOS_MS / order.length
    const started = Date.now()
    for (const [i, victim] of order.entries()) {
      // a random moment in the middle of the slot, down for 1 to 4 seconds
      const at = started + i * slot + slot * (0.2 + 0.6 * rand())
      const downMs = 1000 + 3000 * rand()
      await sleep(Math.max(0, at - Date.now()))
      const acked = load.acked.size
      log(`kill -9 ${victim} for ${Math.round(downMs)} ms (${acked} acknowledged so far)`)
      if (victim === 'broker') await broker.kill()
      else expect(await (victim === 'collector' ? collector : ingester).stop('SIGKILL')).toBe('SIGKILL')
      await sleep(downMs)
      if (victim === 'broker') await broker.start()
      else await (victim === 'collector' ? collector : ingester).start()
      // the load goes on being acknowledged after each restart
      await eventually(
        async () => load.acked.size,
        (n) => n > acked + 200,
        60_000,
      )
    }
    await sleep(Math.max(0, started + CHAOS_MS - Date.now()))

    log('faults over; sampling memory under the same load')
    type Memory = { rss: number; heap: number }
    const samples: Record<'collector' | 'ingester', Memory[]> = { collector: [], ingester: [] }
    const members: number[] = []
    for (let t = 0; t < STEADY_MS; t += SAMPLE_MS) {
      samples.collector.push(await memoryMiB(collector.url))
      samples.ingester.push(await memoryMiB(ingester.url))
      members.push(await broker.groupMembers())
      await sleep(SAMPLE_MS)
    }
    // one ingester, one member: a consumer left behind by a restart would read beside its replacement (a killed
    // ingester's member is gone within the 6 s session timeout, long before the first third is over)
    log(`ingester group members: ${members.join(' ')}`)
    expect(members.slice(Math.floor(members.length / 3)).filter((n) => n !== 1)).toEqual([])
    const window = await metricValue(ingester.url, 'touchpoint_dedupe_window_ids')
    log(`ingester dedupe window: ${window} ids`)
    expect(window).toBeLessThanOrEqual(50_000)
    for (const [name, series] of Object.entries(samples)) {
      for (const kind of ['heap', 'rss'] as const) {
        const xs = series.map((m) => m[kind])
        const third = Math.floor(xs.length / 3)
        const level = kind === 'heap' ? (ys: number[]) => Math.min(...ys) : median
        const middle = level(xs.slice(third, 2 * third))
        const last = level(xs.slice(2 * third))
        const room = ROOM[name === 'ingester' && kind === 'rss' ? 'chdbRss' : kind]
        const shown = xs.map((m) => Math.round(m)).join(' ')
        log(
          `${name} ${kind} MiB: ${shown} (${kind === 'heap' ? 'floor' : 'median'}: middle ${middle.toFixed(1)}, last ${last.toFixed(1)})`,
        )
        expect(last, `${name} ${kind} grew`).toBeLessThanOrEqual(middle * room.factor + room.mib)
      }
    }

    const result = await expectExactlyOnce({ collector, ingester, ingesterDir, load, event: 'Soak' }, log)
    log(`stored ${result.stored}, acknowledged ${result.acked}`)
    expect(result.acked).toBeGreaterThan(10_000)
  })
})
