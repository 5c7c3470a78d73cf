import { expect } from 'vitest'
import { type CollectorProcess, embeddedSql, type ServiceProcess } from './collector'
import { consumerCaughtUp, type LoadGenerator, spoolDrained } from './load'

/**
 * The end of a Kafka fault test: stops the load, waits until the collector's spool is empty and the ingester's
 * consumer lag is 0, stops the ingester, and checks what it stored against what the load sent: every
 * acknowledged event exactly once, nothing that was not sent. `log` narrates each step (CI logs show where a
 * slow drain spent its time).
 */
export async function expectExactlyOnce(
  {
    collector,
    ingester,
    ingesterDir,
    load,
    event,
  }: {
    collector: CollectorProcess
    ingester: ServiceProcess
    ingesterDir: string
    load: LoadGenerator
    event: string
  },
  log: (step: string) => void,
): Promise<{ acked: number; stored: number }> {
  await load.stop()
  log(`load stopped: ${load.acked.size} acknowledged of ${load.attempted.size} sent`)
  await spoolDrained(collector.url, 60_000)
  log('collector spool empty')
  await consumerCaughtUp(ingester.url)
  log('consumer lag 0')
  expect(await ingester.stop('SIGTERM')).toBe(0)
  log('ingester stopped')
  const unique = await expectLoadStored(ingesterDir, event, load)
  // requests cut off by a kill may have landed unacknowledged; they are the only extras allowed
  expect(unique.size - load.acked.size).toBeLessThanOrEqual(load.attempted.size - load.acked.size)
  return { acked: load.acked.size, stored: unique.size }
}

/**
 * The ids of `event` stored in a data directory no process holds, checked against what the load sent: no id twice,
 * every acknowledged one there, none that it did not send. `isProbe` names ids a test sent beside the load, which
 * are left out.
 */
export async function expectLoadStored(
  dataDir: string,
  event: string,
  load: LoadGenerator,
  isProbe = (_id: string) => false,
): Promise<Set<string>> {
  const rows = await embeddedSql<{ id: string }>(
    dataDir,
    `SELECT message_id AS id FROM events WHERE event = '${event}'`,
  )
  const stored = rows.map((r) => r.id).filter((id) => !isProbe(id))
  const unique = new Set(stored)
  expect(stored.length - unique.size).toBe(0)
  expect([...load.acked].filter((id) => !unique.has(id))).toEqual([])
  expect(stored.filter((id) => !load.attempted.has(id))).toEqual([])
  return unique
}
