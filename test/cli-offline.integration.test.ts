import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CollectorProcess, freePort, keysIn, runCli, tempDir } from './helpers/collector'
import { basic, post } from './helpers/http'

/**
 * The CLI on a data directory that no collector holds, which it opens itself: what it says when it cannot
 * answer, and that it ends with exit code 1, as a script checks.
 */
let dead: string
/** a data directory a collector ran on, stored an event in and left */
let used: string
const dirs: string[] = []
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-cli-offline-'))
  dirs.push(dir)
  return dir
}

beforeAll(async () => {
  dead = `http://127.0.0.1:${await freePort()}`
  used = tempDir('tp-cli-offline-')
  dirs.push(used)
  const collector = new CollectorProcess(used, await freePort())
  await collector.start()
  const res = await post(
    `${collector.url}/v1/track`,
    { event: 'Signed Up', anonymousId: 'a-1' },
    { authorization: basic(keysIn(used).writeKey) },
  )
  expect(res.status).toBe(200)
  expect(await collector.stop('SIGTERM')).toBe(0)
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

it('says to start the collector or migrate when the data directory has no tables', async () => {
  const empty = dataDir()
  const r = await runCli(['report', 'pages'], { TOUCHPOINT_DATA_DIR: empty, TOUCHPOINT_URL: dead })
  expect(r.code).toBe(1)
  expect(r.stderr).toContain(`no Touchpoint tables in ${join(empty, 'clickhouse')}`)
  expect(r.stderr).toContain('touchpoint migrate')
})

it('gives a query ClickHouse refuses its error, as the caller wrote the query, and exit code 1', async () => {
  const env = { TOUCHPOINT_DATA_DIR: used, TOUCHPOINT_URL: dead }
  // exiting at once after the embedded engine refused a query crashed the process: SIGSEGV, exit code 139
  const r = await runCli(['sql', 'SELEC 1'], env)
  expect(r.stderr).toMatch(/^touchpoint: Syntax error/)
  // without the output format the client adds to the query
  expect(r.stderr).not.toContain('FORMAT')
  expect(r.code).toBe(1)
})

it('refuses a project the projects file does not name, as the collector does, where it answered zeros', async () => {
  const env = { TOUCHPOINT_DATA_DIR: used, TOUCHPOINT_URL: dead }
  const said = `project: no project shpo in ${join(used, 'touchpoint.json')} (its projects: dev)`
  for (const args of [
    ['report', 'overview', '--project', 'shpo'],
    ['forget', '--user', 'u-1', '--project', 'shpo'],
    ['export', '--user', 'u-1', '--project', 'shpo'],
  ]) {
    const r = await runCli(args, env)
    expect(r.stderr, args.join(' ')).toBe(`touchpoint: ${said}\n`)
    expect(r.code).toBe(1)
  }
  // the project it names is read as before (its one event came from a script's user agent: a bot's, not counted)
  const known = await runCli(['report', 'overview', '--project', 'dev', '--json'], env)
  expect(known.code).toBe(0)
  expect(JSON.parse(known.stdout)).toMatchObject({ visitors: 0, pageViews: 0 })
})

it("asks for a funnel's steps by the option that gives them, where zod's words named none", async () => {
  const r = await runCli(['funnel'], { TOUCHPOINT_DATA_DIR: used, TOUCHPOINT_URL: dead })
  expect(r.stderr).toBe(
    'touchpoint: --step: a funnel needs its steps, in order: --step "Page Viewed[path=/pricing]" --step "Signed Up"\n',
  )
  expect(r.code).toBe(1)
})

it('says what a mistyped report or option most likely meant', async () => {
  const env = { TOUCHPOINT_DATA_DIR: used, TOUCHPOINT_URL: dead }
  const report = await runCli(['report', 'overveiw'], env)
  expect(report.stderr).toMatch(
    /^touchpoint: no report overveiw \(did you mean overview\?\); usage: touchpoint report /,
  )
  const option = await runCli(['report', 'overview', '--form', '2026-11-01'], env)
  expect(option.stderr).toBe(
    'touchpoint: report takes no option --form (did you mean --from?); touchpoint report --help lists them\n',
  )
  expect([report.code, option.code]).toEqual([1, 1])
  // the analyses with commands of their own, asked for as reports, with their options
  const funnel = await runCli(['report', 'funnel', '--step', 'Signed Up'], env)
  expect(funnel.stderr).toBe(
    'touchpoint: funnel is a command of its own, not a report: touchpoint funnel --help lists its options\n',
  )
  expect(funnel.code).toBe(1)
})
