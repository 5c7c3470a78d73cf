import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../packages/schema/src/limits'
import type { RunningCollector } from '../services/collector/src/server'
import { basic, CHROME_UA, eventually, sql } from './helpers/http'
import { startTestCollector } from './helpers/in-process'

/**
 * Property-based tests of every public endpoint with fast-check, through the whole Fastify pipeline (inject) of
 * a real collector with embedded ClickHouse: for any input, a 2xx or a clear 4xx (a TP_ERR_ code and a message),
 * never a 5xx, no crash, no prototype pollution, and the valid events of a batch stored whatever sits beside them.
 */
const keys = {
  adminKey: 'admin-fuzz-0123456789abcdef',
  writeKey: 'wk_fuzz_123456',
  secretKey: 'sk_fuzz_0123456789abcdef',
}
const RUNS = 120
const TRACKING = [
  '/v1/batch',
  '/v1/track',
  '/v1/page',
  '/v1/screen',
  '/v1/identify',
  '/v1/alias',
  '/v1/group',
]

let collector: RunningCollector
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort()
let cleanPrototype: string[]

beforeAll(async () => {
  cleanPrototype = prototypeKeys()
  // thousands of requests from one address: the rate limits (tested on their own) would answer most of them
  ;({ collector } = await startTestCollector(
    {
      adminKey: keys.adminKey,
      projects: [{ id: 'fuzz', writeKey: keys.writeKey, secretKey: keys.secretKey, allowedOrigins: ['*'] }],
    },
    { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_KEY: '0' },
  ))
})

afterAll(async () => {
  await collector?.close()
})

interface Answer {
  status: number
  body: string
}

async function inject(
  method: 'GET' | 'POST' | 'HEAD',
  url: string,
  payload?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  // a request that never answers is a failure too, with its input in the counterexample
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in 10 s: ${method} ${url}`)), 10_000)
  })
  try {
    const res = await Promise.race([
      collector.app.inject({
        method,
        url,
        payload,
        headers: { authorization: basic(keys.writeKey), 'user-agent': CHROME_UA, ...headers },
      }),
      hung,
    ])
    return { status: res.statusCode, body: res.body }
  } finally {
    clearTimeout(timer)
  }
}

/** A 2xx, a redirect where one is due, or a 4xx that names its error: never a 5xx. */
function clear(a: Answer, allowRedirect = false): void {
  expect(a.status, a.body.slice(0, 300)).toBeLessThan(500)
  if (a.status >= 400) {
    const body = JSON.parse(a.body) as { code?: string; message?: string }
    expect(body.code, a.body.slice(0, 300)).toMatch(/^TP_ERR_[A-Z_]+$/)
    expect(body.message).toBeTruthy()
  } else if (!allowRedirect) expect(a.status).toBeLessThan(300)
}

/** Values of every JSON type, wrong types included, for the fields the wire contract names. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  // halves of an emoji among whole ones: a lone surrogate once stopped the loader for good
  fc.string({ unit: fc.constantFrom('a', 'é', '😀', '\ud83d', '\ude00'), maxLength: 20 }),
  fc.constantFrom(
    '',
    '__proto__',
    'constructor',
    '2026-11-22T10:00:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ),
  fc.integer(),
  fc.double(),
)
const eventLike = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('track', 'page', 'screen', 'identify', 'alias', 'group', 'TRACK', ''),
      anyValue,
    ),
    event: anyValue,
    userId: anyValue,
    anonymousId: anyValue,
    previousId: anyValue,
    groupId: anyValue,
    messageId: anyValue,
    timestamp: fc.oneof(
      anyValue,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    sentAt: anyValue,
    properties: fc.oneof(fc.dictionary(fc.string({ maxLength: 20 }), anyValue, { maxKeys: 20 }), anyValue),
    traits: anyValue,
    context: fc.oneof(
      fc.record(
        { ip: anyValue, page: anyValue, campaign: anyValue, userAgent: anyValue, emailHandoff: anyValue },
        {
          requiredKeys: [],
        },
      ),
      anyValue,
    ),
  },
  { requiredKeys: [] },
)
const anyBody = fc.oneof(
  eventLike,
  fc.record(
    {
      batch: fc.array(fc.oneof(eventLike, anyValue), { maxLength: 20 }),
      context: anyValue,
      sentAt: anyValue,
    },
    {
      requiredKeys: ['batch'],
    },
  ),
  fc.jsonValue({ maxDepth: 5 }),
)

describe('fuzzing the public endpoints', () => {
  it('answers any JSON on every tracking route with a 2xx or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TRACKING), anyBody, async (route, body) => {
        clear(await inject('POST', route, JSON.stringify(body), { 'content-type': 'application/json' }))
      }),
      { numRuns: RUNS * 3 },
    )
  })

  it('answers arbitrary bytes, invalid UTF-8 and wrong content types with a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TRACKING),
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/xml',
          'multipart/form-data',
          'application/octet-stream',
        ),
        async (route, bytes, type) => {
          clear(await inject('POST', route, Buffer.from(bytes), { 'content-type': type }))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('refuses __proto__ and constructor keys at any depth, and nothing is polluted', async () => {
    const poison = fc.constantFrom(
      '"__proto__":{"polluted":"yes"}',
      '"constructor":{"prototype":{"polluted":"yes"}}',
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TRACKING), fc.nat({ max: 6 }), poison, async (route, depth, p) => {
        const inner = `{"type":"track","event":"x","userId":"u","properties":${'{"a":'.repeat(depth)}{${p}}${'}'.repeat(depth)}}`
        const body = route === '/v1/batch' ? `{"batch":[${inner}]}` : inner
        const a = await inject('POST', route, body, { 'content-type': 'application/json' })
        clear(a)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      { numRuns: RUNS },
    )
    expect(prototypeKeys()).toEqual(cleanPrototype)
  })

  it('stores the valid event of a batch whatever else the batch holds', async () => {
    const run = `fz-${Date.now().toString(36)}`
    let sent = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(eventLike, anyValue), { maxLength: 15 }),
        fc.nat(),
        async (junk, at) => {
          const good = {
            type: 'track',
            event: 'Fuzz Survivor',
            anonymousId: run,
            messageId: `${run}-${sent}`,
          }
          const batch = [...junk]
          batch.splice(at % (junk.length + 1), 0, good)
          const a = await inject('POST', '/v1/batch', JSON.stringify({ batch }), {
            'content-type': 'application/json',
          })
          clear(a)
          expect(a.status).toBe(200)
          const body = JSON.parse(a.body) as { accepted: number; rejected: Array<{ messageId?: string }> }
          expect(body.rejected.map((r) => r.messageId)).not.toContain(good.messageId)
          sent++
        },
      ),
      { numRuns: RUNS },
    )
    const rows = await eventually(
      () =>
        sql<{ n: number }>(
          collector.url,
          keys.adminKey,
          `SELECT uniqExact(message_id) AS n FROM events WHERE event = 'Fuzz Survivor' AND anonymous_id = {run:String}`,
          { run },
        ),
      (r) => Number(r[0]?.n) >= sent,
      30_000,
    )
    expect(Number(rows[0]?.n)).toBe(sent)
  })

  it('refuses oversized, deeply nested and compressed bodies with a 4xx', async () => {
    const big = JSON.stringify({
      type: 'track',
      event: 'x',
      userId: 'u',
      properties: { s: 'x'.repeat(MAX_BODY_BYTES) },
    })
    expect((await inject('POST', '/v1/track', big, { 'content-type': 'application/json' })).status).toBe(413)
    const wide = JSON.stringify({
      batch: [{ type: 'track', event: 'x', userId: 'u', properties: { a: Array(60_000).fill(1) } }],
    })
    clear(await inject('POST', '/v1/batch', wide, { 'content-type': 'application/json' }))
    for (const deep of ['['.repeat(200_000), `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`])
      clear(await inject('POST', '/v1/track', deep, { 'content-type': 'application/json' }))
    // gzip is not accepted: a compressed body, a bomb included, is refused without being inflated
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024))
    for (const body of [gzipSync('{"type":"track","event":"x","userId":"u"}'), bomb])
      clear(
        await inject('POST', '/v1/track', body, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        }),
      )
  })

  it('answers any token on the email routes: the pixel always with its GIF, the click with 302 or 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.base64String({ maxLength: 400 }),
          fc.string({ unit: 'binary', maxLength: 100 }),
        ),
        fc.constantFrom('fuzz', 'nope', '..', '%00'),
        async (token, project) => {
          const t = encodeURIComponent(token) || 'x'
          const pixel = await inject('GET', `/e/o/${project}/${t}.gif`)
          expect(pixel.status, pixel.body.slice(0, 200)).toBeLessThan(500)
          if (pixel.status === 200) expect(pixel.body.length).toBeGreaterThan(0)
          const click = await inject('GET', `/e/c/${project}/${t}`)
          expect(click.status).toBeLessThan(500)
          expect([302, 400, 404]).toContain(click.status)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('answers any body on the admin routes with the key with a 2xx or a clear 4xx, and without it with 401', async () => {
    const admin = { authorization: `Bearer ${keys.adminKey}`, 'content-type': 'application/json' }
    const routes = [
      '/api/sql',
      '/api/forget',
      '/api/funnel',
      '/api/attribution',
      '/api/reports/orders',
      '/api/reports/nps',
      '/api/reports/customers',
      '/api/reports/experiment',
      '/api/plan/check',
      '/api/ad-spend',
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), anyBody, async (route, body) => {
        clear(await inject('POST', route, JSON.stringify(body), admin))
        expect(
          (await inject('POST', route, JSON.stringify(body), { 'content-type': 'application/json' })).status,
        ).toBe(401)
      }),
      { numRuns: RUNS },
    )
  })

  it('answers any ad spend with a 2xx or a clear 4xx, and stores the rows of one it takes', async () => {
    const admin = { authorization: `Bearer ${keys.adminKey}`, 'content-type': 'application/json' }
    const spendRow = fc.record(
      {
        day: fc.oneof(
          fc
            .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10)),
          fc.constantFrom('2026-02-30', '2026-13-01', '26-1-1'),
          anyValue,
        ),
        source: fc.oneof(fc.constantFrom('google', 'facebook', 'Bing ads', ''), anyValue),
        medium: anyValue,
        campaign: anyValue,
        cost: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), anyValue),
        currency: fc.oneof(fc.constantFrom('EUR', 'usd', 'EURO'), anyValue),
        clicks: anyValue,
        impressions: anyValue,
      },
      { requiredKeys: [] },
    )
    const project = fc.oneof(fc.constant('fuzz'), anyValue)
    await fc.assert(
      fc.asyncProperty(project, fc.array(spendRow, { maxLength: 20 }), async (id, rows) => {
        const a = await inject('POST', '/api/ad-spend', JSON.stringify({ project: id, rows }), admin)
        clear(a)
        if (a.status === 200)
          expect(JSON.parse(a.body)).toMatchObject({ project: 'fuzz', received: rows.length })
      }),
      { numRuns: RUNS },
    )
  })

  it('is still up and answering after all of it', async () => {
    expect((await inject('GET', '/healthz')).status).toBe(200)
  })
})
