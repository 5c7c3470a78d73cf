import { type ChildProcess, execSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, keysIn, ROOT, tempDir } from './helpers/collector'
import { basic, eventually, post } from './helpers/http'

/**
 * The collector's image, built as the Dockerfile says without a Docker engine (none runs here): its COPY lines
 * into an empty directory, with what .dockerignore leaves out, then its RUN lines there, then the collector
 * target's CMD with its ENV. What a `docker compose up` user gets is what this directory serves.
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

const env: Record<string, string> = {}
const image = tempDir('tp-image-')
let collector: ChildProcess | undefined

/** One stage's instructions, run in the image directory; CMD is returned, not run. */
function build(stage: Stage): string[] | undefined {
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

afterAll(() => {
  collector?.kill('SIGKILL')
})

describe('the Dockerfile', () => {
  it("builds a collector that serves tp.js and stores what a site's tag sends", {
    timeout: 240_000,
  }, async () => {
    const all = stages()
    build(all.find((s) => s.name === 'base')!)
    const cmd = build(all.find((s) => s.name === 'collector')!)
    expect(cmd?.[0]).toBe('node')
    expect(existsSync(join(image, 'node_modules'))).toBe(true)

    const port = await freePort()
    const dataDir = tempDir('tp-image-data-')
    collector = spawn(cmd![0]!, cmd!.slice(1), {
      cwd: image,
      env: { ...process.env, ...env, TOUCHPOINT_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'ignore',
    })
    const url = `http://127.0.0.1:${port}`
    const sdk = await eventually(
      () => fetch(`${url}/tp.js`).catch(() => undefined),
      (r) => r !== undefined,
      60_000,
    )
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
})
