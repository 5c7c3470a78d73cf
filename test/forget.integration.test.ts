import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, cli, freePort, type Keys, keysIn, tempDir } from './helpers/collector'
import { basic, eventually, post, sql } from './helpers/http'

/** GDPR erasure with the real CLI against a real collector: one person goes, everyone else stays. */
let collector: CollectorProcess
let keys: Keys
let dataDir: string

beforeAll(async () => {
  dataDir = tempDir('tp-forget-')
  collector = new CollectorProcess(dataDir, await freePort())
  await collector.start()
  keys = keysIn(dataDir)
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

const forget = (...args: string[]) =>
  cli(['forget', ...args], { TOUCHPOINT_DATA_DIR: dataDir, TOUCHPOINT_URL: collector.url })

const counts = () =>
  sql<{ who: string; events: number }>(
    collector.url,
    keys.adminKey,
    `SELECT if(user_id != '', user_id, anonymous_id) AS who, count() AS events FROM events GROUP BY who ORDER BY who`,
  )

describe('touchpoint forget', () => {
  it('erases a person’s events, linked devices, identity links and refused calls, and nothing else', async () => {
    const auth = { authorization: basic(keys.secretKey) }
    const batch = [
      // the person browsed anonymously on two devices, then identified on both
      { type: 'page', anonymousId: 'device-a', context: { sessionId: 'session-a' }, name: 'Home' },
      { type: 'page', anonymousId: 'device-b', context: { sessionId: 'session-b' }, name: 'Pricing' },
      { type: 'identify', anonymousId: 'device-a', userId: 'erase-me', traits: { plan: 'pro' } },
      { type: 'alias', previousId: 'device-b', userId: 'erase-me' },
      { type: 'track', userId: 'erase-me', event: 'Order Completed', properties: { revenue: 10 } },
      // somebody else, who must stay
      {
        type: 'track',
        anonymousId: 'device-c',
        userId: 'keep-me',
        context: { sessionId: 'session-c' },
        event: 'Order Completed',
        properties: { revenue: 5 },
      },
      // a refused call naming the person (no event name), kept in events_rejected
      { type: 'track', userId: 'erase-me' },
    ]
    const res = await post(`${collector.url}/v1/batch`, { batch }, auth)
    expect(res.status).toBe(200)
    expect(res.body.rejected).toHaveLength(1)
    // the loader inserts events, refused calls and identity links one table after another, so wait for all three
    const stored = await eventually(
      () =>
        sql<{ events: number; rejected: number; links: number; parts: number }>(
          collector.url,
          keys.adminKey,
          `SELECT (SELECT count() FROM events) AS events,
                  (SELECT count() FROM events_rejected WHERE position(raw, '"erase-me"') > 0) AS rejected,
                  (SELECT count() FROM identities) AS links,
                  (SELECT count() FROM session_parts) AS parts`,
        ),
      (r) => r[0]!.events === 6 && r[0]!.rejected >= 1 && r[0]!.links >= 3 && r[0]!.parts >= 3,
      20_000,
    )
    // the three events with a session id gave a session part each
    expect(stored[0]).toEqual({ events: 6, rejected: 1, links: 3, parts: 3 })

    const out = await forget('--user', 'erase-me', '--project', 'dev')
    expect(out).toBe(
      'erased erase-me and 2 linked anonymous id(s) in project dev: 5 events, 2 session parts, 2 identity links, 1 refused calls\n',
    )

    expect(await counts()).toEqual([{ who: 'keep-me', events: 1 }])
    expect(
      await sql(
        collector.url,
        keys.adminKey,
        `SELECT anonymous_id_hash = cityHash64('device-c') AS kept FROM session_parts`,
      ),
    ).toEqual([{ kept: 1 }])
    expect(
      await sql(
        collector.url,
        keys.adminKey,
        `SELECT anonymous_id, user_id FROM identities ORDER BY user_id`,
      ),
    ).toEqual([{ anonymous_id: 'device-c', user_id: 'keep-me' }])
    const rejectedAfter = await sql<{ n: number }>(
      collector.url,
      keys.adminKey,
      `SELECT count() AS n FROM events_rejected WHERE position(raw, 'erase-me') > 0`,
    )
    expect(rejectedAfter[0]!.n).toBe(0)
    // a second erasure finds nothing left
    expect(JSON.parse(await forget('--user', 'erase-me', '--json'))).toMatchObject({
      anonymousIds: [],
      deleted: { events: 0, identities: 0, rejected: 0, sessionParts: 0 },
    })
  })

  it('refuses without the admin key, and for a project that does not exist', async () => {
    const anon = await post(`${collector.url}/api/forget`, { project: 'dev', userId: 'x' })
    expect(anon.status).toBe(401)
    const unknown = await post(
      `${collector.url}/api/forget`,
      { project: 'nope', userId: 'x' },
      { authorization: `Bearer ${keys.adminKey}` },
    )
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('TP_ERR_UNKNOWN_PROJECT')
  })
})
