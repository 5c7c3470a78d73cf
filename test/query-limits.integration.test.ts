import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CollectorProcess, freePort, type Keys, keysIn, runCli, tempDir } from './helpers/collector'
import { basic, eventually, post, sql } from './helpers/http'

/**
 * Read-only queries (/api/sql and the analytics reports) run inside the embedded collector's process, so each is
 * bounded (SQL_MAX_*): before the bounds, `SELECT * FROM system.numbers` grew the collector by about 330 MiB a
 * second, and in one run the collector died, and ingest with it.
 */
let collector: CollectorProcess | undefined
afterEach(async () => {
  await collector?.stop('SIGKILL')
  collector = undefined
})

async function start(env: Record<string, string> = {}): Promise<{ c: CollectorProcess; keys: Keys }> {
  const dir = tempDir('tp-query-limits-')
  collector = new CollectorProcess(dir, await freePort(), env)
  await collector.start()
  return { c: collector, keys: keysIn(dir) }
}

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024

describe('bounds on read-only queries', () => {
  it('refuse an endless query with a 400 naming the bound, and the collector answers and ingests as before', async () => {
    const { c, keys } = await start()
    const admin = { authorization: `Bearer ${keys.adminKey}` }
    const started = Date.now()
    const res = await post(`${c.url}/api/sql`, { query: 'SELECT * FROM system.numbers' }, admin)
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('TP_ERR_QUERY_LIMIT')
    expect(res.body.message).toContain('SQL_MAX_RESULT_ROWS')
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(rssMiB(c.child?.pid as number)).toBeLessThan(2_048)

    // the next query gets its own answer, not what the refused one had written
    expect(await sql(c.url, keys.adminKey, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
    const sent = await post(
      `${c.url}/v1/track`,
      { event: 'After Limit', anonymousId: 'a-limit', messageId: 'after-limit' },
      { authorization: basic(keys.writeKey) },
    )
    expect(sent.status).toBe(200)
    await eventually(
      () => sql(c.url, keys.adminKey, "SELECT event FROM events WHERE message_id = 'after-limit'"),
      (rows) => rows.length === 1,
    )
  })

  it('refuse a query that would write a file on the host, through the API and the CLI alike', async () => {
    const { c, keys } = await start()
    const target = join(tempDir('tp-outfile-'), 'keys.txt')
    const res = await post(
      `${c.url}/api/sql`,
      { query: `SELECT 1 INTO OUTFILE '${target}' APPEND` },
      { authorization: `Bearer ${keys.adminKey}` },
    )
    expect(res).toMatchObject({
      status: 400,
      body: { code: 'TP_ERR_SQL', message: expect.stringContaining('INTO OUTFILE') },
    })
    // the CLI on its own, its collector gone, refuses it as well
    await c.stop('SIGTERM')
    const cli = await runCli(['sql', `SELECT 1 INTO OUTFILE '${target}'`], { TOUCHPOINT_DATA_DIR: c.dataDir })
    expect(cli).toMatchObject({ code: 1, stderr: expect.stringContaining('INTO OUTFILE writes a file') })
    expect(existsSync(target)).toBe(false)
  })

  it('answer a report past a bound with a 400 naming it, not a 500', async () => {
    // one byte of memory a query: every read-only query is past it, the pipeline's are not
    const { c, keys } = await start({ SQL_MAX_MEMORY_BYTES: '1' })
    const res = await post(
      `${c.url}/api/funnel`,
      {
        project: 'dev',
        from: '2026-01-01',
        to: '2026-02-01',
        steps: [{ event: 'Signup Started' }, { event: 'Signed Up' }],
      },
      { authorization: `Bearer ${keys.adminKey}` },
    )
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('TP_ERR_QUERY_LIMIT')
    expect(res.body.message).toContain('SQL_MAX_MEMORY_BYTES')
    const sent = await post(
      `${c.url}/v1/track`,
      { event: 'Signed Up', anonymousId: 'a-mem' },
      { authorization: basic(keys.writeKey) },
    )
    expect(sent.status).toBe(200)
  })
})
