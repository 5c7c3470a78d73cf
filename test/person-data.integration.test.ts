import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { recipientHash } from '@touchpoint/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CollectorProcess,
  cli,
  freePort,
  type Keys,
  keysIn,
  runCliUnread,
  tempDir,
} from './helpers/collector'
import { basic, eventually, post, sql } from './helpers/http'

/**
 * GDPR access and erasure with the real CLI against a real collector: the export holds one person's rows and no
 * one else's, then that person goes and everyone else stays.
 */
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

const env = () => ({ TOUCHPOINT_DATA_DIR: dataDir, TOUCHPOINT_URL: collector.url })
const exportOf = (...args: string[]) => cli(['export', ...args], env())
/** The lines of an NDJSON export, parsed (their fields are checked one by one) */
const ndjson = (text: string): any[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line))

const counts = () =>
  sql<{ who: string; events: number }>(
    collector.url,
    keys.adminKey,
    `SELECT if(user_id != '', user_id, anonymous_id) AS who, count() AS events FROM events GROUP BY who ORDER BY who`,
  )

describe('touchpoint export and forget', () => {
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

    // first the person's data as an export gives it: the rows the erasure will take, and no one else's
    const lines = ndjson(await exportOf('--user', 'erase-me'))
    expect(lines[0]).toEqual({
      kind: 'person',
      project: 'dev',
      userId: 'erase-me',
      userIds: ['erase-me'], // not an email address: no other id
      anonymousIds: ['device-a', 'device-b'],
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(lines.slice(1).map((l) => l.kind)).toEqual([
      ...Array(5).fill('event'),
      'identity',
      'identity',
      'refused',
    ])
    const rows = lines.slice(1).map((l) => l.row)
    for (const row of rows.slice(0, 5))
      expect(row.user_id === 'erase-me' || ['device-a', 'device-b'].includes(row.anonymous_id)).toBe(true)
    expect(rows.slice(0, 5).map((r) => r.revenue)).toContain(10)
    expect(
      rows
        .slice(5, 7)
        .map((r) => [r.anonymous_id, r.user_id])
        .sort(),
    ).toEqual([
      ['device-a', 'erase-me'],
      ['device-b', 'erase-me'],
    ])
    expect(rows[7].raw).toContain('"erase-me"')
    expect(JSON.stringify(lines)).not.toMatch(/keep-me|device-c/)
    // to a file: only its owner may read it, and the command says what it holds
    const file = join(dataDir, 'erase-me.ndjson')
    expect(await exportOf('--user', 'erase-me', '--out', file)).toBe(
      `exported erase-me in project dev to ${file}: 5 events, 2 identity links, 1 refused calls\n`,
    )
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(ndjson(readFileSync(file, 'utf8')).slice(1)).toEqual(lines.slice(1))

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
    // an export now holds the person line alone
    expect(ndjson(await exportOf('--user', 'erase-me')).map((l) => l.kind)).toEqual(['person'])
    // a second erasure finds nothing left
    expect(JSON.parse(await forget('--user', 'erase-me', '--json'))).toMatchObject({
      anonymousIds: [],
      deleted: { events: 0, identities: 0, rejected: 0, sessionParts: 0 },
    })
  })

  it('finds a person named by their email address under the recipient id of their emails too', async () => {
    const secret = JSON.parse(readFileSync(join(dataDir, 'touchpoint.json'), 'utf8')).projects[0].email
      .recipientSecret as string
    const recipient = (address: string) => recipientHash(address, secret)
    const email = (address: string) => ({
      type: 'track',
      userId: recipient(address),
      event: 'Email Sent',
      properties: { campaignId: 'winter', emailId: `w-${address}` },
    })
    const batch = [
      // ada signed up with her address as user id, and was sent an email (stored under its recipient id), whose
      // link her browser followed (the hand-off links it as identify does here)
      { type: 'track', userId: 'ada@example.org', event: 'Signed Up' },
      email('ada@example.org'),
      { type: 'identify', anonymousId: 'ada-browser', userId: recipient('ada@example.org') },
      // bea only ever got an email, and clicked it
      email('bea@example.org'),
      { type: 'identify', anonymousId: 'bea-browser', userId: recipient('bea@example.org') },
      { type: 'page', anonymousId: 'bea-browser', name: 'Sale' },
    ]
    const auth = { authorization: basic(keys.secretKey) }
    expect((await post(`${collector.url}/v1/batch`, { batch }, auth)).status).toBe(200)
    await eventually(
      () =>
        sql<{ n: number }>(
          collector.url,
          keys.adminKey,
          `SELECT count() AS n FROM identities WHERE anonymous_id IN ('ada-browser', 'bea-browser')`,
        ),
      (r) => Number(r[0]!.n) === 2,
    )
    await eventually(
      () =>
        sql<{ n: number }>(
          collector.url,
          keys.adminKey,
          `SELECT count() AS n FROM events
           WHERE event IN ('Signed Up', 'Email Sent') OR anonymous_id IN ('ada-browser', 'bea-browser')`,
        ),
      (r) => Number(r[0]!.n) === 6,
    )

    const lines = ndjson(await exportOf('--user', 'ada@example.org'))
    expect(lines[0]).toMatchObject({
      userIds: ['ada@example.org', recipient('ada@example.org')],
      anonymousIds: ['ada-browser'],
    })
    expect(
      lines
        .slice(1)
        .map((l) => `${l.kind} ${l.row.event ?? l.row.anonymous_id}`)
        .sort(),
    ).toEqual(['event Email Sent', 'event Identify', 'event Signed Up', 'identity ada-browser'])
    // nothing of bea's (her address, her recipient id, her browser); a bare 'bea' would also match hex ids
    const exported = JSON.stringify(lines)
    for (const hers of ['bea@example.org', recipient('bea@example.org'), 'bea-browser'])
      expect(exported).not.toContain(hers)

    // bea's profile, asked by her address, is her recipient id's: her email and her browser's page
    const profile = JSON.parse(await cli(['profile', 'bea@example.org', '--json'], env()))
    expect(profile).toMatchObject({ person: recipient('bea@example.org'), anonymousIds: ['bea-browser'] })

    expect(await forget('--user', 'ada@example.org')).toBe(
      `erased ada@example.org (also as ${recipient('ada@example.org')}) and 1 linked anonymous id(s) in project dev: 3 events, 0 session parts, 1 identity links, 0 refused calls\n`,
    )
    const left = await sql<{ who: string }>(
      collector.url,
      keys.adminKey,
      `SELECT DISTINCT if(user_id != '', user_id, anonymous_id) AS who FROM events
       WHERE event IN ('Signed Up', 'Email Sent') OR anonymous_id IN ('ada-browser', 'bea-browser')`,
    )
    // ada is gone under both ids, with her browser; bea stays
    expect(left.map((r) => r.who).sort()).toEqual(['bea-browser', recipient('bea@example.org')].sort())
  })

  it('finds a visitor who never identified by the anonymous id their browser kept', async () => {
    const batch = [
      { type: 'page', anonymousId: 'only-a-cookie', name: 'Home' },
      { type: 'track', anonymousId: 'only-a-cookie', event: 'Newsletter Signup' },
      { type: 'page', anonymousId: 'someone-else', name: 'Home' },
    ]
    const auth = { authorization: basic(keys.secretKey) }
    expect((await post(`${collector.url}/v1/batch`, { batch }, auth)).status).toBe(200)
    const mine = () =>
      sql<{ n: number }>(
        collector.url,
        keys.adminKey,
        `SELECT count() AS n FROM events WHERE anonymous_id = 'only-a-cookie'`,
      )
    await eventually(mine, (r) => Number(r[0]!.n) === 2)
    const lines = ndjson(await exportOf('--user', 'only-a-cookie'))
    expect(lines[0]).toMatchObject({ anonymousIds: ['only-a-cookie'] })
    // sent without timestamps, the two events may share the millisecond they were received in: any order
    expect(
      lines
        .slice(1)
        .map((l) => `${l.kind} ${l.row.event}`)
        .sort(),
    ).toEqual(['event Newsletter Signup', 'event Page Viewed'])
    expect(await forget('--user', 'only-a-cookie')).toBe(
      'erased only-a-cookie in project dev: 2 events, 0 session parts, 0 identity links, 0 refused calls\n',
    )
    expect((await mine())[0]!.n).toBe(0)
    const others = await sql<{ n: number }>(
      collector.url,
      keys.adminKey,
      `SELECT count() AS n FROM events WHERE anonymous_id = 'someone-else'`,
    )
    expect(Number(others[0]!.n)).toBe(1)
  })

  it('refuses without the admin key, for a project that does not exist and without a user id', async () => {
    const admin = { authorization: `Bearer ${keys.adminKey}` }
    for (const route of ['/api/forget', '/api/export']) {
      const anon = await post(`${collector.url}${route}`, { project: 'dev', userId: 'x' })
      expect(anon.status).toBe(401)
      const unknown = await post(`${collector.url}${route}`, { project: 'nope', userId: 'x' }, admin)
      expect(unknown.status).toBe(404)
      expect(unknown.body).toMatchObject({ code: 'TP_ERR_UNKNOWN_PROJECT', path: 'project' })
      const noUser = await post(`${collector.url}${route}`, { project: 'dev' }, admin)
      expect(noUser.status).toBe(400)
      expect(JSON.stringify(noUser.body)).toContain('userId')
    }
    await expect(exportOf('--user', 'x', '--project', 'nope')).rejects.toThrow(/TP_ERR_UNKNOWN_PROJECT/)
  })

  it('erases and exports the events acknowledged just before, which were still in the spool', async () => {
    // an account deleted right after its last event: the loader inserts about once a second, so on the code before
    // the erasure ran first and the event was loaded after it, the person back in the data
    const auth = { authorization: basic(keys.secretKey) }
    const last = (user: string, n: number) =>
      post(
        `${collector.url}/v1/track`,
        { userId: user, event: 'Account Deleted', messageId: `${user}-${n}` },
        auth,
      )
    expect((await last('late-exporter', 1)).status).toBe(200)
    const exported = ndjson(await exportOf('--user', 'late-exporter'))
    expect(exported.filter((l) => l.kind === 'event').map((l) => l.row.event)).toEqual(['Account Deleted'])

    expect((await last('late-leaver', 1)).status).toBe(200)
    expect(await forget('--user', 'late-leaver')).toMatch(/: 1 events,/)
    // a call after the erasure, loaded after anything the spool held before it
    expect((await last('after-erasure', 1)).status).toBe(200)
    await eventually(
      () =>
        sql(collector.url, keys.adminKey, `SELECT count() AS n FROM events WHERE user_id = 'after-erasure'`),
      (r) => Number(r[0]!.n) === 1,
    )
    const left = await sql(
      collector.url,
      keys.adminKey,
      `SELECT count() AS n FROM events WHERE user_id = 'late-leaver'`,
    )
    expect(Number(left[0]!.n)).toBe(0)
  })

  it('stops quietly when the reader of its output goes away, as `| head` does', async () => {
    // it crashed here with an unhandled EPIPE and Node's stack trace
    const run = await runCliUnread(['export', '--user', 'keep-me'], env())
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('exports from the data directory itself when no collector runs', async () => {
    await collector.stop('SIGTERM')
    const deadPort = await freePort()
    const lines = ndjson(
      await cli(['export', '--user', 'keep-me'], {
        TOUCHPOINT_DATA_DIR: dataDir,
        TOUCHPOINT_URL: `http://127.0.0.1:${deadPort}`,
      }),
    )
    expect(lines.map((l) => l.kind)).toEqual(['person', 'event', 'identity'])
    expect(lines[0].anonymousIds).toEqual(['device-c'])
    expect(lines[1].row).toMatchObject({ user_id: 'keep-me', event: 'Order Completed', revenue: 5 })
  })
})
