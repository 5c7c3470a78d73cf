import { existsSync, lstatSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { CollectorProcess, embeddedSql, freePort, keysIn, tempDir } from './helpers/collector'
import { currentSegmentSize, limitFileSize } from './helpers/disk'
import { expectLoadStored } from './helpers/exactly-once'
import { basic, eventually, post } from './helpers/http'
import { LoadGenerator, metricValue, spoolDrained, trackEvent } from './helpers/load'

/**
 * A disk that takes no more writes, under load, on a real collector process, and then takes them again: calls
 * are refused with 503 (never a 500, never acknowledged), the collector stays up and says it is not ready, the
 * loader waits and goes on, and every acknowledged event is stored exactly once. The kernel does the refusing:
 * a file size limit set on the running process (`prlimit --fsize`, no privileges needed) stops the spool's
 * segment from growing (a write past it is cut short or fails with EFBIG, through the same code as a full
 * disk's ENOSPC), and /dev/full, which answers every write with ENOSPC, stands in for the spool's checkpoint.
 */
const EVENT = 'Disk Full Test'
let collector: CollectorProcess | undefined

afterEach(async () => {
  await collector?.stop('SIGKILL')
})

async function startCollector() {
  const dataDir = tempDir('tp-disk-full-')
  // no rate limits: the load is one address, and every answer but a 200 or a 503 would be a finding
  collector = new CollectorProcess(dataDir, await freePort(), {
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_KEY: '0',
  })
  await collector.start()
  const { writeKey } = keysIn(dataDir)
  const load = new LoadGenerator(() => collector!.url, writeKey, 'disk', { concurrency: 8, name: EVENT })
  const one = (id: string) =>
    post(`${collector!.url}/v1/track`, trackEvent(id, EVENT), { authorization: basic(writeKey) })
  /** A batch whose envelope is wrong, and a body that is not JSON: refusals, kept in events_rejected. */
  const refusals = () =>
    Promise.all([
      post(`${collector!.url}/v1/batch`, { batch: 'not a list' }, { authorization: basic(writeKey) }),
      post(`${collector!.url}/v1/batch`, '{"batch": [', { authorization: basic(writeKey) }),
    ])
  return { c: collector, dataDir, load, one, refusals }
}

/** Waits until the load has `n` more acknowledged events than it has now. */
const ackedMore = (load: LoadGenerator, n: number) => {
  const before = load.acked.size
  return eventually(
    async () => load.acked.size,
    (size) => size >= before + n,
    60_000,
  )
}

const readyz = async (c: CollectorProcess) => {
  const res = await fetch(`${c.url}/readyz`)
  return { status: res.status, body: (await res.json()) as { status: string } }
}

/**
 * Stops the load, lets the spool drain, stops the collector, and checks what it stored: every acknowledged event
 * once, and nothing it refused (besides the load's, only the probes `isProbe` names, which got a 200).
 */
async function expectEachAckedOnce(
  c: CollectorProcess,
  dataDir: string,
  load: LoadGenerator,
  isProbe = (_id: string) => false,
) {
  await load.stop()
  await spoolDrained(c.url, 90_000)
  expect(await c.stop('SIGTERM')).toBe(0)
  const stored = await expectLoadStored(dataDir, EVENT, load, isProbe)
  expect([...stored].filter((id) => !load.acked.has(id))).toEqual([])
}

it('refuses calls with 503 while the disk takes no writes, and loses nothing acknowledged', async () => {
  const { c, dataDir, load, one, refusals } = await startCollector()
  const pid = c.child!.pid!
  load.start()
  await ackedMore(load, 2000)

  // the disk is full: nothing more fits into the segment the spool writes
  limitFileSize(pid, currentSegmentSize(dataDir))
  await eventually(
    async () => load.statuses.get(503) ?? 0,
    (n) => n >= 20,
    30_000,
  )
  const refused = await one('disk-refused-1')
  expect(refused.status).toBe(503)
  expect(refused.body).toMatchObject({ code: 'TP_ERR_SPOOL_WRITE' })
  expect(refused.body.message).toMatch(/could not write the events to its disk \((EFBIG|short)\)/)
  expect(refused.headers.get('retry-after')).toBe('10')
  // a refusal is answered once it is kept: not now (503, to be sent again), and never a 500
  for (const r of await refusals()) expect([r.status, r.body.code]).toEqual([503, 'TP_ERR_SPOOL_WRITE'])
  expect(await readyz(c)).toMatchObject({ status: 503, body: { status: 'down' } })
  expect(await metricValue(c.url, 'touchpoint_spool_write_failing')).toBe(1)
  expect(c.child!.exitCode).toBeNull()

  // room again: the next calls are taken, and the collector is ready once a write has gone through
  limitFileSize(pid, 'unlimited')
  await eventually(
    async () => (await one(`disk-after-${Date.now()}`)).status,
    (s) => s === 200,
    30_000,
  )
  expect(
    (
      await eventually(
        () => readyz(c),
        (r) => r.status === 200,
        30_000,
      )
    ).body.status,
  ).toBe('ok')
  expect((await refusals()).map((r) => [r.status, r.body.code])).toEqual([
    [400, 'TP_ERR_INVALID_BODY'],
    [400, 'TP_ERR_MALFORMED_JSON'],
  ])
  await ackedMore(load, 1000)

  // every answer was a 200 or a 503: no call failed inside the collector
  expect([...load.statuses.keys()].sort()).toEqual([200, 503])
  // said when the disk filled and when it took writes again, not once a request
  expect(c.output).toContain('the spool cannot be written (is the disk full?)')
  expect(c.output).toContain('the spool takes writes again')
  expect(c.output).not.toContain('request failed')
  // a refused call is not kept (the load's, and the probe refused above)
  await expectEachAckedOnce(c, dataDir, load, (id) => id.startsWith('disk-after-'))
  // the refusals answered 400 are kept, those answered 503 are not
  const kept = await embeddedSql<{ code: string }>(dataDir, 'SELECT error_code AS code FROM events_rejected')
  expect(kept.map((r) => r.code).sort()).toEqual(['TP_ERR_INVALID_BODY', 'TP_ERR_MALFORMED_JSON'])
}, 300_000)

it('goes on loading once the disk takes the spool checkpoint again', async () => {
  const { c, dataDir, load } = await startCollector()
  const checkpointTmp = join(dataDir, 'spool', 'checkpoint.json.tmp')
  /** Every write of the next checkpoint fails with ENOSPC: its temporary file is /dev/full. */
  const fillDisk = () => {
    if (existsSync(checkpointTmp) && lstatSync(checkpointTmp).isSymbolicLink()) return
    const link = `${checkpointTmp}.link`
    symlinkSync('/dev/full', link)
    renameSync(link, checkpointTmp)
  }
  load.start()
  await ackedMore(load, 1000)

  // the loader's checkpoint cannot be written; the spool keeps taking calls (its segment has room)
  fillDisk()
  await eventually(
    async () => {
      fillDisk() // the collector may have renamed the link into place in the moment it was made
      return c.output
    },
    (out) => out.includes('loading from the spool failed; retrying'),
    30_000,
  )
  expect(c.output).toMatch(/ENOSPC/)
  // degraded, yet ready: calls are still taken into the spool
  expect(await readyz(c)).toMatchObject({ status: 200, body: { status: 'degraded' } })
  await ackedMore(load, 1000)
  expect(c.child!.exitCode).toBeNull()

  // room again: the loader goes on by itself, and every acknowledged event is loaded once
  rmSync(checkpointTmp, { force: true })
  await eventually(
    () => readyz(c),
    (r) => r.body.status === 'ok',
    60_000,
  )
  await ackedMore(load, 1000)
  expect([...load.statuses.keys()]).toEqual([200])
  await expectEachAckedOnce(c, dataDir, load)
}, 300_000)
