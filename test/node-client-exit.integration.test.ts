import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { eventually, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * @touchpoint/node in processes of their own that end without close(): a script that runs out of work, a server
 * stopped with SIGTERM or SIGINT, one stopped while the collector is away. Each process queues its calls with a
 * flush interval of a minute, so only sending before the end can deliver them; the real collector stores them.
 */
const ADMIN = 'admin-key-node-client-exit'
const SECRET = 'tps_shop_node_client_exit'
const NODE_PACKAGE = resolve(import.meta.dirname, '../packages/node')

let collector: RunningCollector

beforeAll(async () => {
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'shop', writeKey: 'tpw_shop_node_client_exit', secretKey: SECRET }],
  }))
})
afterAll(async () => collector?.close())

/** A process that makes `calls` track calls tagged `tag`, prints "queued", then runs `then`. */
function clientProcess(tag: string, calls: number, then: string, host = collector.url): ChildProcess {
  const code = `
    import { Touchpoint } from '@touchpoint/node'
    const tp = new Touchpoint({
      secretKey: ${JSON.stringify(SECRET)}, host: ${JSON.stringify(host)}, flushInterval: 60_000, exitTimeout: 1_000,
      retryMinDelay: 50, onDrop: (messages, reason) => console.log('dropped', messages.length, reason),
    })
    for (let i = 0; i < ${calls}; i++)
      tp.track({ userId: 'u-exit', event: 'Exit Checked', messageId: ${JSON.stringify(tag)} + '-' + i })
    console.log('queued')
    ${then}`
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: NODE_PACKAGE,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
}

async function outcome(child: ChildProcess, signal?: NodeJS.Signals) {
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    if (signal && out.includes('queued\n') && !child.killed) child.kill(signal)
  })
  const started = Date.now()
  const [code, endedBy] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  return { code, signal: endedBy, out, ms: Date.now() - started }
}

const storedCount = (tag: string, n: number) =>
  eventually(
    async () => {
      const [row] = await sql<{ n: number; ids: number }>(
        collector.url,
        ADMIN,
        'SELECT count() AS n, uniqExact(message_id) AS ids FROM events WHERE startsWith(message_id, {tag:String})',
        { tag: `${tag}-` },
      )
      return row!
    },
    (row) => row.n >= n,
  )

describe('@touchpoint/node when its process ends without close()', () => {
  it('sends what it holds once a script has nothing else to do, and lets it end then', async () => {
    const ended = await outcome(clientProcess('script', 30, ''))
    expect(ended).toMatchObject({ code: 0, signal: null })
    // it did not wait for the minute's flush interval to end
    expect(ended.ms).toBeLessThan(30_000)
    expect(await storedCount('script', 30)).toEqual({ n: 30, ids: 30 })
  })

  it('sends what it holds on SIGTERM and SIGINT, then ends by the signal as it would have', async () => {
    const server = 'setInterval(() => {}, 1000)'
    const term = await outcome(clientProcess('term', 25, server), 'SIGTERM')
    expect(term).toMatchObject({ code: null, signal: 'SIGTERM' })
    const int = await outcome(clientProcess('int', 5, server), 'SIGINT')
    expect(int).toMatchObject({ code: null, signal: 'SIGINT' })
    expect(await storedCount('term', 25)).toEqual({ n: 25, ids: 25 })
    expect(await storedCount('int', 5)).toEqual({ n: 5, ids: 5 })
  })

  it('waits no longer than exitTimeout for a collector that is away, and says what it did not send', async () => {
    // a port nobody listens on
    const away = await outcome(
      clientProcess('away', 3, 'setInterval(() => {}, 1000)', 'http://127.0.0.1:9'),
      'SIGTERM',
    )
    expect(away.signal).toBe('SIGTERM')
    expect(away.out).toMatch(/dropped 3 the process ended \(SIGTERM\) 1000 ms before they were acknowledged/)
  })

  it("leaves ending the process to the application's own handler", async () => {
    const handled = `process.on('SIGTERM', async () => { await tp.close(); console.log('closed'); process.exit(3) })
      setInterval(() => {}, 1000)`
    const ended = await outcome(clientProcess('handled', 4, handled), 'SIGTERM')
    expect(ended).toMatchObject({ code: 3, signal: null })
    expect(ended.out).toContain('closed')
    expect(await storedCount('handled', 4)).toEqual({ n: 4, ids: 4 })
    // one that shuts down in its own time, past exitTimeout (1 s here), while the collector is away: nothing is
    // given up on its behalf before it ends the process
    const slow = `process.on('SIGTERM', () => setTimeout(() => process.exit(4), 2500))
      setInterval(() => {}, 1000)`
    const slowEnd = await outcome(clientProcess('slow', 2, slow, 'http://127.0.0.1:9'), 'SIGTERM')
    expect(slowEnd).toMatchObject({ code: 4, signal: null })
    expect(slowEnd.out).not.toContain('dropped')
  })
})
