import { type ChildProcess, execSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, keysIn, ROOT, runCli, tempDir } from './helpers/collector'
import { basic, eventually, post } from './helpers/http'
import { Broker } from './helpers/kafka'

/**
 * Touchpoint's images, built as the Dockerfile says without a Docker engine (none runs here): its COPY lines into
 * an empty directory, with what .dockerignore leaves out, then its RUN lines there, then each target's CMD with
 * its ENV: the collector alone, and the collector and the ingester through a real Kafka broker, as
 * docker-compose.yml runs them. What a `docker compose up` user gets is what this directory serves.
 */
interface Stage {
  name: string
  lines: string[]
}

function stages(): Stage[] {
  const out: Stage[] = []
  for (const raw of readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const from = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(line)
    if (from) out.push({ name: from[1]!, lines: [] })
    else out.at(-1)?.lines.push(line)
  }
  return out
}

/** The names .dockerignore leaves out wherever they are (`node_modules`, `**\/dist`, …). */
const ignored = new Set(
  readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim().replace(/^\*\*\//, ''))
    .filter(Boolean),
)
const kept = (path: string) =>
  !relative(ROOT, path)
    .split(sep)
    .some((part) => ignored.has(part))

const image = tempDir('tp-image-')
const running: ChildProcess[] = []
let broker: Broker | undefined

/** One stage's instructions, run in the image directory, into `env`; CMD is returned, not run. */
function build(stage: Stage, env: Record<string, string>): string[] | undefined {
  let cmd: string[] | undefined
  for (const line of stage.lines) {
    const [op, ...rest] = line.split(/\s+/)
    const args = rest.join(' ')
    switch (op!.toUpperCase()) {
      case 'COPY': {
        const sources = rest.slice(0, -1)
        const dest = join(image, rest.at(-1)!)
        for (const s of sources) {
          const to = sources.length > 1 || dest.endsWith('/') ? join(dest, basename(s)) : dest
          mkdirSync(join(to, '..'), { recursive: true })
          cpSync(join(ROOT, s), to, { recursive: true, filter: kept })
        }
        break
      }
      case 'RUN':
        // the image's pnpm is the one this repository pins, already on the PATH here
        if (!/^npm install -g pnpm@/.test(args))
          execSync(args, { cwd: image, stdio: 'ignore', env: process.env })
        break
      case 'ENV':
        for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!
        break
      case 'CMD':
        cmd = JSON.parse(args) as string[]
        break
    }
  }
  return cmd
}

/** A target of the image: its CMD run in the image directory with its ENV, then `env` (a compose file's). */
function runTarget(name: string, env: Record<string, string>): ChildProcess {
  const targetEnv = { ...baseEnv }
  const cmd = build(stages().find((s) => s.name === name)!, targetEnv)
  expect(cmd?.[0]).toBe('node')
  const child = spawn(cmd![0]!, cmd!.slice(1), {
    cwd: image,
    env: { ...process.env, ...targetEnv, ...env, HOST: '127.0.0.1' },
    stdio: 'ignore',
  })
  running.push(child)
  return child
}

const baseEnv: Record<string, string> = {}

beforeAll(() => {
  build(stages().find((s) => s.name === 'base')!, baseEnv)
  expect(existsSync(join(image, 'node_modules'))).toBe(true)
}, 240_000)

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL')
  await broker?.stop()
})

/** What a running service answers at `path`, once it answers. */
const answer = (url: string, path: string) =>
  eventually(
    () => fetch(`${url}${path}`).catch(() => undefined),
    (r) => r !== undefined,
    60_000,
  )

describe('the Dockerfile', () => {
  it("builds a collector that serves tp.js and stores what a site's tag sends", {
    timeout: 120_000,
  }, async () => {
    const port = await freePort()
    const dataDir = tempDir('tp-image-data-')
    runTarget('collector', { TOUCHPOINT_DATA_DIR: dataDir, PORT: String(port) })
    const url = `http://127.0.0.1:${port}`
    const sdk = await answer(url, '/tp.js')
    expect(sdk!.status).toBe(200)
    expect(sdk!.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect((await sdk!.text()).length).toBeGreaterThan(1000)

    const keys = keysIn(dataDir)
    const sent = await post(
      `${url}/v1/track`,
      { anonymousId: 'image-visitor', event: 'Image Checked' },
      { authorization: basic(keys.writeKey) },
    )
    expect(sent.status).toBe(200)
  })

  it('builds an ingester that stores, through Kafka, what the collector acknowledged', {
    timeout: 180_000,
  }, async () => {
    broker = await Broker.create()
    await broker.start()
    // docker-compose.yml's Kafka settings; ClickHouse is the ingester's embedded engine here (no server runs)
    const kafka = {
      KAFKA_BROKERS: broker.address,
      KAFKA_TOPIC: 'touchpoint.events',
      KAFKA_PARTITIONS: '6',
      KAFKA_REPLICATION: '1',
      KAFKA_GROUP_ID: 'touchpoint-ingester',
    }
    // compose starts the ingester first: the collector waits for its health check
    const ingesterDir = tempDir('tp-image-ingester-')
    const ingesterPort = await freePort()
    const ingester = runTarget('ingester', {
      ...kafka,
      TOUCHPOINT_DATA_DIR: ingesterDir,
      PORT: String(ingesterPort),
    })
    expect((await answer(`http://127.0.0.1:${ingesterPort}`, '/healthz'))!.status).toBe(200)
    const collectorDir = tempDir('tp-image-collector-')
    const port = await freePort()
    runTarget('collector', { ...kafka, TOUCHPOINT_DATA_DIR: collectorDir, PORT: String(port) })
    const url = `http://127.0.0.1:${port}`
    expect((await answer(url, '/healthz'))!.status).toBe(200)

    const sent = await post(
      `${url}/v1/track`,
      { anonymousId: 'image-visitor', messageId: 'through-kafka', event: 'Image Checked' },
      { authorization: basic(keysIn(collectorDir).writeKey) },
    )
    expect(sent.status).toBe(200)
    // the ingester's metrics say when it has loaded a row; then it stops, as `docker compose stop` stops it
    await eventually(
      () => fetch(`http://127.0.0.1:${ingesterPort}/metrics`).then((r) => r.text()),
      (text) => /^touchpoint_ingester_rows_loaded_total\{[^}]*table="events"[^}]*\} [1-9]/m.test(text),
      60_000,
    )
    const stopped = new Promise((r) => ingester.once('exit', r))
    ingester.kill('SIGTERM')
    await stopped
    const read = await runCli(
      ['sql', "SELECT event, source FROM events WHERE message_id = 'through-kafka'", '--json'],
      { TOUCHPOINT_DATA_DIR: ingesterDir, TOUCHPOINT_URL: 'http://127.0.0.1:9' },
    )
    expect(JSON.parse(read.stdout)).toEqual([{ event: 'Image Checked', source: 'browser' }])
  })
})
