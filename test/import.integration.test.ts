import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectorProcess, freePort, type Keys, keysIn, ROOT, tempDir } from './helpers/collector'
import { eventually, post, sql } from './helpers/http'
import { IMPORT_START, writeOrderRows } from './helpers/ndjson'

/**
 * `touchpoint import` as users run it (the real CLI, a real collector process): a million-row NDJSON file killed
 * part-way and resumed, and a CSV with a column mapping, bad rows and a report on what it loaded.
 */
const BIN = join(ROOT, 'packages/cli/src/bin.ts')
const ROWS = 1_000_000
let collector: CollectorProcess
let keys: Keys
let dataDir: string
const work = tempDir('tp-import-')

beforeAll(async () => {
  dataDir = tempDir('tp-import-collector-')
  collector = new CollectorProcess(dataDir, await freePort())
  await collector.start()
  keys = keysIn(dataDir)
})

afterAll(async () => {
  await collector?.stop('SIGKILL')
})

const env = () => ({ ...process.env, TOUCHPOINT_DATA_DIR: dataDir, TOUCHPOINT_URL: collector.url })

function importProcess(args: string[]): {
  child: ChildProcess
  done: Promise<{ code: number | null; out: string; err: string }>
} {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'import', ...args], {
    cwd: ROOT,
    env: env(),
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const done = new Promise<{ code: number | null; out: string; err: string }>((res) =>
    child.on('exit', (code) => res({ code, out, err })),
  )
  return { child, done }
}

const query = <T = Record<string, unknown>>(q: string) => sql<T>(collector.url, keys.adminKey, q)

/** The flags that load a survey export's respondent, time and score columns as NPS answers of `survey`. */
const npsFlags = (survey: string) => [
  ...[
    '--map',
    'userId=respondent',
    '--map',
    'timestamp=submitted',
    '--map',
    'properties.answer:number=score',
  ],
  ...[
    '--set',
    'event=Survey Answered',
    '--set',
    `properties.survey=${survey}`,
    '--set',
    'properties.type=nps',
  ],
]

/** The rows an import refused, from its rejects file. */
const rejectsOf = (file: string) =>
  readFileSync(`${file}.rejected.ndjson`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))

describe('touchpoint import', () => {
  it('imports 1,000,000 NDJSON rows in flat memory, and a re-run after kill -9 ends with exactly 1,000,000', {
    timeout: 600_000,
  }, async () => {
    const file = join(work, 'orders.ndjson')
    await writeOrderRows(file, ROWS, 'Order Imported')
    const stateFile = `${file}.tp-import.json`
    const size = statSync(file).size

    // the first run is killed once it is about a third of the way through
    const first = importProcess([file])
    await eventually(
      async () => (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')).offset : 0),
      (offset) => offset > size / 3,
      300_000,
    )
    first.child.kill('SIGKILL')
    const killed = await first.done
    expect(killed.code).toBeNull()
    expect(killed.err).toMatch(/import: +\d+\.\d% +[\d,]+ rows +[\d,]+ rows\/s/) // progress, while it ran
    const stopped = JSON.parse(readFileSync(stateFile, 'utf8'))
    expect(stopped.done).toBe(false)
    expect(stopped.imported).toBeGreaterThan(0)
    expect(stopped.imported).toBeLessThan(ROWS)

    const second = importProcess([file, '--json'])
    const result = await second.done
    expect(result.code, result.err).toBe(0)
    const summary = JSON.parse(result.out)
    expect(summary.resumedAfter).toBe(stopped.imported)
    expect(summary.read).toBe(ROWS - stopped.imported)
    expect(summary.total).toEqual({ imported: ROWS, rejected: 0 })
    // flat: once warm (half-way through this run's 660,000-odd rows), memory does not grow with the rows read;
    // the figures of a full run are in BENCHMARKS.md
    const quarters = summary.memory.quartersMiB as number[]
    expect(quarters).toHaveLength(4)
    expect(Math.max(...quarters.slice(2)) - quarters[1]!).toBeLessThan(32)
    expect(summary.memory.peakMiB).toBeLessThan(400)

    const [counts] = await eventually(
      () =>
        query<{ n: number; ids: number; sources: string[]; first: string; last: string }>(
          `SELECT count() AS n, uniqExact(message_id) AS ids, groupUniqArray(source) AS sources,
             toString(min(timestamp)) AS first, toString(max(timestamp)) AS last
           FROM events WHERE event = 'Order Imported'`,
        ),
      (r) => Number(r[0]?.n) >= ROWS,
      120_000,
    )
    await sleep(1000) // anything still on its way would show now
    const [again] = await query<{ n: number }>(
      `SELECT count() AS n FROM events WHERE event = 'Order Imported'`,
    )
    expect({ ...counts, n: again!.n }).toEqual({
      n: ROWS,
      ids: ROWS,
      sources: ['import'],
      first: '2024-01-01 00:00:00.000',
      last: new Date(IMPORT_START + (ROWS - 1) * 60_000).toISOString().replace('T', ' ').slice(0, 23),
    })

    // a finished import run again reads nothing and adds nothing
    const third = await importProcess([file, '--json']).done
    expect(JSON.parse(third.out)).toMatchObject({ read: 0, imported: 0, total: { imported: ROWS } })
  })

  it('maps CSV columns to fields, keeps bad rows with their line and reason, and feeds the NPS report', async () => {
    const file = join(work, 'survey.csv')
    writeFileSync(
      file,
      [
        'respondent,submitted,score,comment',
        'r1,2026-06-02T10:00:00Z,10,"Great, fast delivery"',
        'r2,2026-06-03T10:00:00Z,9,"Said ""wow""\nover two lines"',
        'r3,2026-06-04T10:00:00Z,4,',
        'r4,2026-06-05T10:00:00Z,eleven,',
        'r5,2026-06-05T11:00:00Z,11,',
        'r6,2026-06-06T10:00:00Z,7',
        'r7,2026-06-07T10:00:00Z,8,ok',
        '',
      ].join('\n'),
    )
    const run = await importProcess([
      file,
      '--json',
      ...npsFlags('summer-nps'),
      ...['--map', 'properties.comment=comment'],
      ...['--set', 'properties.question=How likely are you to recommend us?'],
    ]).done
    expect(run.code, run.err).toBe(0)
    expect(JSON.parse(run.out)).toMatchObject({ read: 7, imported: 4, rejected: 3 })
    const rejected = rejectsOf(file)
    expect(rejected.map((r) => [r.line, r.reasons[0].path, r.reasons[0].message])).toEqual([
      [6, 'properties.answer', 'column score: "eleven" is not a number'], // the field the column was for
      [7, 'properties.answer', 'an NPS answer must be a whole number from 0 to 10'], // the collector's verdict
      [8, '', 'the row has 3 fields; the header has 4'],
    ])
    expect(rejected[1].raw).toBe('r5,2026-06-05T11:00:00Z,11,')

    const rows = await eventually(
      () =>
        query<{ user_id: string; answer: number; comment: string }>(
          `SELECT user_id, JSONExtractInt(properties, 'answer') AS answer, JSONExtractString(properties, 'comment') AS comment
           FROM events WHERE JSONExtractString(properties, 'survey') = 'summer-nps' ORDER BY user_id`,
        ),
      (r) => r.length === 4,
      20_000,
    )
    expect(rows).toEqual([
      { user_id: 'r1', answer: 10, comment: 'Great, fast delivery' },
      { user_id: 'r2', answer: 9, comment: 'Said "wow"\nover two lines' },
      { user_id: 'r3', answer: 4, comment: '' },
      { user_id: 'r7', answer: 8, comment: 'ok' },
    ])
    const nps = await post(
      `${collector.url}/api/reports/nps`,
      { project: 'dev', from: '2026-06-01', to: '2026-07-01', survey: 'summer-nps' },
      { authorization: `Bearer ${keys.adminKey}` },
    )
    // promoters r1, r2; passive r7; detractor r3: (2 − 1) / 4
    expect(nps.body).toMatchObject({ responses: 4, promoters: 2, passives: 1, detractors: 1, score: 25 })
  })

  it("reads a spreadsheet's semicolon export with its byte order mark, times without a zone as UTC", async () => {
    const file = join(work, 'excel.csv')
    writeFileSync(
      file,
      '\ufeffrespondent;submitted;score\r\nx1;2026-06-02 10:00;9\r\nx2;03/06/2026;8\r\nx3;2026-06-04T12:00:00+02:00;"7"\r\n',
    )
    const run = await importProcess([file, '--json', ...npsFlags('excel-nps')]).done
    expect(run.code, run.err).toBe(0)
    expect(JSON.parse(run.out)).toMatchObject({ read: 3, imported: 2, rejected: 1 })
    const [refused] = rejectsOf(file)
    expect([refused.line, refused.reasons[0].path, refused.reasons[0].message]).toEqual([
      3,
      'timestamp',
      'is not an ISO-8601 date-time, such as 2026-11-03T18:40:00Z (one without a zone is UTC)',
    ])
    const rows = await eventually(
      () =>
        query<{ user_id: string; t: string }>(
          `SELECT user_id, toString(timestamp) AS t FROM events
           WHERE JSONExtractString(properties, 'survey') = 'excel-nps' ORDER BY user_id`,
        ),
      (r) => r.length === 2,
      20_000,
    )
    expect(rows).toEqual([
      { user_id: 'x1', t: '2026-06-02 10:00:00.000' },
      { user_id: 'x3', t: '2026-06-04 10:00:00.000' },
    ])
  })

  it('refuses to resume with the state of another file', async () => {
    const file = join(work, 'other.ndjson')
    writeFileSync(file, `${JSON.stringify({ type: 'track', event: 'X', userId: 'u' })}\n`)
    writeFileSync(
      `${file}.tp-import.json`,
      JSON.stringify({ version: 1, fingerprint: 'f00', offset: 0, line: 1 }),
    )
    const run = await importProcess([file]).done
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/belongs to another file .* --restart/)
  })
})
