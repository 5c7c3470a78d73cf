import { afterAll, expect, it } from 'vitest'
import { CollectorProcess, freePort, keysIn, runCli, tempDir } from './helpers/collector'
import { basic, post } from './helpers/http'
import { spoolDrained } from './helpers/load'

/** `touchpoint status` against a real collector: its state and figures, then the same collector gone. */
const dir = tempDir('tp-cli-status-')
let collector: CollectorProcess | undefined

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

it('says what the running collector says of itself, and exits 0; 2 once nothing answers', async () => {
  const port = await freePort()
  collector = new CollectorProcess(dir, port)
  await collector.start()
  const { writeKey } = keysIn(dir)
  const batch = [
    { type: 'track', event: 'Signed Up', anonymousId: 'a1' },
    { type: 'track', event: 'Plan Chosen', anonymousId: 'a1' },
    { type: 'track', anonymousId: 'a1' },
  ]
  expect(
    (await post(`${collector.url}/v1/batch`, { batch }, { authorization: basic(writeKey) })).status,
  ).toBe(200)
  await spoolDrained(collector.url, 30_000)
  const env = { TOUCHPOINT_DATA_DIR: dir, PORT: String(port) }

  const text = await runCli(['status'], env)
  expect(text.stdout).toBe(
    [
      `${collector.url}: ready, ok; storage reachable`,
      '  since it started: 2 events accepted, 1 call rejected, 0 requests rate-limited',
      '  loading: 2 events loaded, 0 B waiting in the spool',
      '',
    ].join('\n'),
  )
  expect(text.code).toBe(0)
  const json = JSON.parse((await runCli(['status', '--json'], env)).stdout)
  expect(json).toMatchObject({ answered: true, ready: true, status: 'ok', storage: 'reachable' })
  expect(json.metrics).toMatchObject({
    touchpoint_events_accepted_total: 2,
    touchpoint_events_loaded_total: 2,
  })

  expect(await collector.stop('SIGTERM')).toBe(0)
  const gone = await runCli(['status'], env)
  expect(gone.stdout).toBe(
    `${collector.url}: not answering\n  ECONNREFUSED: start it, or point TOUCHPOINT_URL (or PORT) at it\n`,
  )
  expect(gone.code).toBe(2)
})
