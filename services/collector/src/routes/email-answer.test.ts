import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEmailTracker } from '@touchpoint/node'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../app'
import { loadConfig } from '../config'
import { Metrics } from '../metrics'
import type { OutboundRecord, Sink } from '../pipeline/sink'

/**
 * When the email routes answer, against a sink whose writes the test finishes by hand: the pixel once its record
 * is written, the redirect once it is or after a second at the most. (The pipeline's own promise, every answered
 * open and click kept once through kill -9, is tested on a real process in test/embedded-crash.)
 */
class HeldSink implements Sink {
  readonly writes: Array<{ records: OutboundRecord[]; done: () => void }> = []
  state: 'ok' | 'degraded' | 'down' = 'ok'
  append(records: OutboundRecord[]): Promise<void> {
    return new Promise((done) => this.writes.push({ records, done }))
  }
  status() {
    return this.state
  }
  async close() {}
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'tp-email-answer-'))
  dirs.push(dir)
  const config = loadConfig({ TOUCHPOINT_DATA_DIR: dir, LOG_LEVEL: 'silent' })
  const sink = new HeldSink()
  const app = buildApp(config, { ch: undefined, sink, metrics: new Metrics() })
  // loadConfig made the dev project, with its email keys, in the data directory
  const project = JSON.parse(readFileSync(join(dir, 'touchpoint.json'), 'utf8')).projects[0]
  const tracker = createEmailTracker({
    baseUrl: 'http://collector',
    projectId: project.id,
    keys: project.email.keys,
  })
  const message = {
    campaignId: 'c',
    messageId: 'm',
    recipient: 'r',
    sentAt: new Date(Date.now() - 3_600_000),
  }
  const path = (url: string) => url.slice('http://collector'.length)
  return {
    app,
    sink,
    pixel: path(tracker.pixelUrl(message)),
    click: path(tracker.linkUrl('https://shop.example/', message)),
  }
}

const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))])

describe('email answers', () => {
  it('answers the pixel once its open is written, not before', async () => {
    const { app, sink, pixel } = setUp()
    const answer = app.inject({ method: 'GET', url: pixel })
    expect(await settledWithin(answer, 200)).toBe(false)
    expect(sink.writes).toHaveLength(1)
    sink.writes[0]!.done()
    const res = await answer
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/gif')
    await app.close()
  })

  it('answers the pixel at once while the sink is degraded (Kafka away, its records bound for the spool)', async () => {
    const { app, sink, pixel } = setUp()
    sink.state = 'degraded'
    const res = await app.inject({ method: 'GET', url: pixel })
    expect(res.statusCode).toBe(200)
    expect(sink.writes).toHaveLength(1) // written all the same
    sink.writes[0]!.done()
    await app.close()
  })

  it('redirects a click once it is written, or after a second when the write hangs', async () => {
    const { app, sink, click } = setUp()
    const prompt = app.inject({ method: 'GET', url: click })
    expect(await settledWithin(prompt, 200)).toBe(false)
    sink.writes[0]!.done()
    expect((await prompt).statusCode).toBe(302)
    const started = Date.now()
    const hung = await app.inject({ method: 'GET', url: click })
    expect(hung.statusCode).toBe(302)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    sink.writes[1]!.done()
    await app.close()
  })
})
