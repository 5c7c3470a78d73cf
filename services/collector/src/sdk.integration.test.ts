import { readFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureTpJs } from '../../../test/helpers/browser'
import { ROOT } from '../../../test/helpers/collector'
import { startTestCollector } from '../../../test/helpers/in-process'
import type { RunningCollector } from './server'

/** GET /tp.js: what a site's script tag loads. */
let collector: RunningCollector
beforeAll(async () => {
  ensureTpJs()
  ;({ collector } = await startTestCollector())
})
afterAll(() => collector?.close())

describe('GET /tp.js', () => {
  it('serves the built bundle gzipped, cacheable with an ETag, to any origin, and answers 304 when unchanged', async () => {
    const built = readFileSync(join(ROOT, 'packages/browser/dist/tp.js'))
    // node:http, not fetch, which would unzip on its own: the bytes as they travel
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
      (resolve) =>
        get(
          `${collector.url}/tp.js`,
          { headers: { 'accept-encoding': 'gzip', origin: 'https://shop.example.com' } },
          (r) => {
            const chunks: Buffer[] = []
            r.on('data', (c) => chunks.push(c))
            r.on('end', () =>
              resolve({ status: r.statusCode!, headers: r.headers, body: Buffer.concat(chunks) }),
            )
          },
        ),
    )
    expect(res.status).toBe(200)
    expect(res.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'content-encoding': 'gzip',
      'cache-control': expect.stringMatching(/^public, max-age=86400/),
      'access-control-allow-origin': '*',
    })
    expect(res.body.length).toBeLessThanOrEqual(3000) // tp.js's budget: gzip -9, as served (scripts/size.mjs)
    expect(gunzipSync(res.body).equals(built)).toBe(true)
    const etag = res.headers.etag as string
    expect(etag).toMatch(/^"[\w-]{22}"$/)
    const again = await fetch(`${collector.url}/tp.js`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    const plain = await fetch(`${collector.url}/tp.js`, { headers: { 'accept-encoding': 'identity' } })
    expect(Buffer.from(await plain.arrayBuffer()).equals(built)).toBe(true)
  })
})
