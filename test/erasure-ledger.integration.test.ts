import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { CollectorProcess, cli, embeddedSql, freePort, keysIn, tempDir } from './helpers/collector'
import { basic, post } from './helpers/http'
import { metricValue, spoolDrained } from './helpers/load'

/**
 * The erasure ledger with a real collector and the real CLI: a person erased from the data directory while the
 * collector is down (`touchpoint forget`, offline), whose last events the collector had acknowledged and not yet
 * loaded when it was killed. The spool loads them at the next start; on the code before, that brought the person
 * back, as docs/privacy.md then said.
 */
const dir = tempDir('tp-erased-spool-')
let collector: CollectorProcess | undefined

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

it('keeps a person erased offline out of what the spool loads at the next start, and keeps everyone else', async () => {
  const port = await freePort()
  collector = new CollectorProcess(dir, port)
  await collector.start()
  const { secretKey } = keysIn(dir)
  const send = (batch: object[]) =>
    post(`${collector!.url}/v1/batch`, { batch }, { authorization: basic(secretKey) })
  const call = (who: object, event: string, n: number) => ({
    type: 'track',
    event,
    messageId: `${event}-${n}`,
    ...who,
  })
  // the person's devices, linked to them, and stored
  expect(
    (
      await send([
        { type: 'identify', anonymousId: 'leaver-phone', userId: 'leaver' },
        call({ anonymousId: 'leaver-phone' }, 'Browsed', 1),
        call({ userId: 'stayer' }, 'Browsed', 2),
      ])
    ).status,
  ).toBe(200)
  await spoolDrained(collector.url, 30_000)
  expect(await collector.stop('SIGTERM')).toBe(0)

  // loading put off past the kill: what it acknowledges stays in the spool
  collector = new CollectorProcess(dir, port, { LOADER_FLUSH_MS: '600000', LOADER_BATCH_ROWS: '100000' })
  await collector.start()
  const last = [
    call({ anonymousId: 'leaver-phone' }, 'Checkout Started', 3),
    call({ userId: 'leaver' }, 'Account Deleted', 4),
    // a call refused for what it holds, naming the person: kept in events_rejected, and erased with them
    { type: 'track', userId: 'leaver', messageId: 'refused-5' },
    call({ userId: 'stayer' }, 'Checkout Started', 6),
    // a device the erasure cannot find: only its identify, in the spool, links it to the person
    call({ anonymousId: 'leaver-laptop' }, 'Browsed', 7),
    { type: 'identify', anonymousId: 'leaver-laptop', userId: 'leaver', messageId: 'identify-8' },
  ]
  const answer = await send(last)
  expect(answer.status).toBe(200)
  expect(answer.body.rejected).toHaveLength(1)
  expect(await collector.stop('SIGKILL')).toBe('SIGKILL')

  const offline = { TOUCHPOINT_DATA_DIR: dir, TOUCHPOINT_URL: `http://127.0.0.1:${await freePort()}` }
  expect(await cli(['forget', '--user', 'leaver'], offline)).toMatch(/1 linked anonymous id/)

  collector = new CollectorProcess(dir, port)
  await collector.start()
  await spoolDrained(collector.url, 30_000)
  // left out by the ledger: the phone's and the account's events, the refused call, and the laptop's event, its
  // identify and their link
  expect(await metricValue(collector.url, 'touchpoint_erased_records_skipped_total')).toBe(6)
  expect(await collector.stop('SIGTERM')).toBe(0)
  const rows = await embeddedSql<{ who: string; event: string }>(
    dir,
    `SELECT if(user_id != '', user_id, anonymous_id) AS who, event FROM events ORDER BY who, event`,
  )
  expect(rows).toEqual([
    { who: 'stayer', event: 'Browsed' },
    { who: 'stayer', event: 'Checkout Started' },
  ])
  const refused = await embeddedSql<{ n: string }>(
    dir,
    `SELECT count() AS n FROM events_rejected WHERE position(raw, '"leaver"') > 0`,
  )
  expect(Number(refused[0]!.n)).toBe(0)
  const links = await embeddedSql<{ anonymous_id: string }>(dir, 'SELECT anonymous_id FROM identities')
  expect(links).toEqual([])
})

it('links a person who comes back on the same device after their erasure again', async () => {
  // the collector remembers the links it sent lately and sends each once; on the code before, it took the
  // returning person's link for sent, though the erasure had removed it: their device stayed someone else's
  collector = new CollectorProcess(dir, await freePort())
  await collector.start()
  const { secretKey, adminKey } = keysIn(dir)
  const identify = (n: number) =>
    post(
      `${collector!.url}/v1/identify`,
      { anonymousId: 'return-phone', userId: 'returner', messageId: `identify-${n}` },
      { authorization: basic(secretKey) },
    )
  const links = async () =>
    Number(
      (
        await post(
          `${collector!.url}/api/sql`,
          { query: "SELECT count() AS n FROM identities WHERE user_id = 'returner'" },
          { authorization: `Bearer ${adminKey}` },
        )
      ).body.rows[0].n,
    )
  expect((await identify(1)).status).toBe(200)
  await spoolDrained(collector.url, 30_000)
  expect(await links()).toBe(1)
  const erased = await post(
    `${collector.url}/api/forget`,
    { project: 'dev', userId: 'returner' },
    { authorization: `Bearer ${adminKey}` },
  )
  expect(erased.body.deleted).toMatchObject({ events: 1, identities: 1 })
  expect(await links()).toBe(0)
  expect((await identify(2)).status).toBe(200)
  await spoolDrained(collector.url, 30_000)
  expect(await links()).toBe(1)
})

it("keeps an erased person's history out of an import run after the erasure, and what came after it in", async () => {
  // the collector of the test before, which erased 'returner'; a file written before the erasure, imported after:
  // on the code before, its calls were received after the erasure, and brought the person back
  const { adminKey } = keysIn(dir)
  const skipped = await metricValue(collector!.url, 'touchpoint_erased_records_skipped_total')
  const past = '2026-01-15T10:00:00Z'
  const file = join(dir, 'history.ndjson')
  const lines = [
    { type: 'track', event: 'Order Completed', userId: 'returner', timestamp: past, messageId: 'h-1' },
    {
      type: 'identify',
      userId: 'returner',
      anonymousId: 'return-old-tablet',
      timestamp: past,
      messageId: 'h-2',
    },
    {
      type: 'track',
      event: 'Order Completed',
      userId: 'returner',
      timestamp: new Date().toISOString(),
      messageId: 'h-3',
    },
    { type: 'track', event: 'Order Completed', userId: 'importee', timestamp: past, messageId: 'h-4' },
    // refused (no event name), naming the person
    { type: 'track', userId: 'returner', timestamp: past, messageId: 'h-5' },
  ]
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
  expect(await cli(['import', file], { TOUCHPOINT_DATA_DIR: dir, TOUCHPOINT_URL: collector!.url })).toMatch(
    /^imported 4 of 5 rows read/,
  )
  await spoolDrained(collector!.url, 30_000)
  const rows = async (query: string) =>
    (await post(`${collector!.url}/api/sql`, { query }, { authorization: `Bearer ${adminKey}` })).body.rows
  expect(
    await rows("SELECT user_id, message_id FROM events WHERE source = 'import' ORDER BY message_id"),
  ).toEqual([
    { user_id: 'returner', message_id: 'h-3' },
    { user_id: 'importee', message_id: 'h-4' },
  ])
  expect(await rows("SELECT anonymous_id FROM identities WHERE anonymous_id = 'return-old-tablet'")).toEqual(
    [],
  )
  expect(await rows("SELECT count() AS n FROM events_rejected WHERE position(raw, 'h-5') > 0")).toEqual([
    { n: 0 },
  ])
  // the old order, the identify's event and its link, the refused call
  expect(await metricValue(collector!.url, 'touchpoint_erased_records_skipped_total')).toBe(skipped + 4)
})
