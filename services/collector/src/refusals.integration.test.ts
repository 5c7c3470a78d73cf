import { limits } from '@touchpoint/schema'
import { describe, expect, it } from 'vitest'
import { basic, eventually, post } from '../../../test/helpers/http'
import { keys, useShopCollector } from './testing/shop-collector'

/** What the collector answers to calls it cannot take: a 4xx naming the field and the reason, never a 5xx. */
const shop = useShopCollector()
const { q, send } = shop

describe('errors', () => {
  it('answers malformed JSON with 400 and keeps the body when the key is known', async () => {
    const res = await send('/v1/track', '{"event": "Broken", ')
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('TP_ERR_MALFORMED_JSON')
    await eventually(
      () =>
        q(
          `SELECT raw FROM events_rejected WHERE error_code = 'TP_ERR_MALFORMED_JSON' AND raw LIKE '%Broken%'`,
        ),
      (r) => r.length === 1,
    )
  })

  it('answers an unknown write key with 401', async () => {
    const res = await send('/v1/track', { event: 'x', anonymousId: 'a' }, 'not-a-key')
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('TP_ERR_UNAUTHORIZED')
    const noKey = await post(`${shop.url}/v1/track`, { event: 'x', anonymousId: 'a' })
    expect(noKey.status).toBe(401)
  })

  it('accepts the write key in the body, as Segment libraries may send it', async () => {
    const res = await post(`${shop.url}/v1/track`, {
      writeKey: keys.writeKey,
      event: 'Body Key',
      anonymousId: 'a',
      messageId: 'bodykey-1',
    })
    expect(res.status).toBe(200)
  })

  it('keeps a refused call without the key its body carried, whatever the refusal', async () => {
    // Segment libraries may send the key in the body; a secret key there must not reach events_rejected
    const refusals = [
      await post(`${shop.url}/v1/track`, {
        writeKey: keys.secretKey,
        anonymousId: 'a',
        messageId: 'bodykey-bad-1',
      }),
      await post(`${shop.url}/v1/batch`, {
        writeKey: keys.secretKey,
        batch: [{ type: 'track', anonymousId: 'a', messageId: 'bodykey-bad-2', writeKey: keys.secretKey }],
      }),
      await post(`${shop.url}/v1/batch`, { writeKey: keys.secretKey, batch: 'bodykey-bad-3' }),
      await send('/v1/track', `{"writeKey": "${keys.secretKey}", "event": "bodykey-bad-4", `, keys.secretKey),
    ]
    expect(refusals.map((r) => r.status)).toEqual([400, 200, 400, 400])
    expect(refusals[1]?.body.rejected).toHaveLength(1)
    const rows = await eventually(
      () =>
        q<{ raw: string }>(`SELECT raw FROM events_rejected WHERE raw LIKE '%bodykey-bad-%' ORDER BY raw`),
      (r) => r.length === 4,
    )
    for (const { raw } of rows) {
      expect(raw).not.toContain(keys.secretKey)
      expect(raw).toContain('"writeKey":"[redacted]"')
    }
  })

  it("refuses an email event sent with the public write key, naming why, and takes it from a server's secret key", async () => {
    const batch = [
      {
        type: 'track',
        event: 'Email Opened',
        userId: 'r1',
        messageId: 'forged-open',
        properties: { campaignId: 'c' },
      },
      {
        type: 'track',
        event: 'Email Bounced',
        userId: 'r1',
        messageId: 'forged-bounce',
        properties: { campaignId: 'c', emailId: 'm' },
      },
    ]
    const forged = await send('/v1/batch', { batch })
    expect(forged.status).toBe(200)
    expect(forged.body.accepted).toBe(0)
    expect(forged.body.rejected).toMatchObject([
      { index: 0, issues: [{ path: 'event', message: expect.stringContaining('write key is public') }] },
      { index: 1, issues: [{ path: 'event' }] },
    ])
    const server = await send(
      '/v1/batch',
      { batch: [{ ...batch[1], messageId: 'server-bounce' }] },
      keys.secretKey,
    )
    expect(server.body.accepted).toBe(1)
    await eventually(
      () => q(`SELECT raw FROM events_rejected WHERE raw LIKE '%forged-%'`),
      (r) => r.length === 2,
    )
  })

  it('refuses an origin the project does not allow with 403 and no CORS allow header', async () => {
    const event = { event: 'x', anonymousId: 'a' }
    const bad = await send('/v1/track', event, keys.lockedKey, { origin: 'https://evil.example' })
    expect(bad.status).toBe(403)
    expect(bad.body.code).toBe('TP_ERR_ORIGIN_FORBIDDEN')
    expect(bad.headers.get('access-control-allow-origin')).toBeNull()
    const good = await send('/v1/track', event, keys.lockedKey, { origin: 'https://shop.example' })
    expect(good.status).toBe(200)
    expect(good.headers.get('access-control-allow-origin')).toBe('https://shop.example')
  })

  it('answers a CORS preflight from an allowed origin, and lets the page read a 400 for a body that is not JSON', async () => {
    const preflight = await fetch(`${shop.url}/v1/track`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, GET')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type')
    expect(preflight.headers.get('access-control-max-age')).toBe('86400')
    expect(preflight.headers.get('vary')).toContain('Origin')

    const broken = await fetch(`${shop.url}/v1/track`, {
      method: 'POST',
      headers: {
        origin: 'https://shop.example',
        'content-type': 'text/plain',
        authorization: basic(keys.lockedKey),
      },
      body: '{"event": ',
    })
    expect(broken.status).toBe(400)
    expect(((await broken.json()) as { code: string }).code).toBe('TP_ERR_MALFORMED_JSON')
    expect(broken.headers.get('access-control-allow-origin')).toBe('https://shop.example')
  })

  it('answers a body over the limit with 413', async () => {
    const res = await send('/v1/track', {
      event: 'Big',
      anonymousId: 'a',
      properties: { blob: 'x'.repeat(limits.MAX_BODY_BYTES) },
    })
    expect(res.status).toBe(413)
    expect(res.body.code).toBe('TP_ERR_BODY_TOO_LARGE')
  })

  it('answers a batch over the event limit with 400 naming the limit', async () => {
    const batch = Array.from({ length: 1001 }, (_, i) => ({
      type: 'track',
      event: 'e',
      anonymousId: `a${i}`,
    }))
    const res = await send('/v1/batch', { batch })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('TP_ERR_TOO_MANY_EVENTS')
    expect(res.body.message).toContain('1000')
    expect(res.body.path).toBe('batch')
  })

  it('answers a wrong content type with 415, and keeps the body when the key is known', async () => {
    const res = await send('/v1/track', '<event name="Xml"/>', keys.writeKey, {
      'content-type': 'application/xml',
    })
    expect(res.status).toBe(415)
    expect(res.body).toMatchObject({
      code: 'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type application/xml: send JSON as application/json (or as text/plain)',
    })
    await eventually(
      () =>
        q(
          `SELECT raw FROM events_rejected WHERE error_code = 'TP_ERR_UNSUPPORTED_MEDIA_TYPE' AND raw LIKE '%Xml%'`,
        ),
      (r) => r.length === 1,
    )
  })

  it("reads a body with no Content-Type as JSON, as Python's requests sends data=json.dumps(…)", async () => {
    // bytes: fetch names no type for them, where it says text/plain for a string
    const res = await fetch(`${shop.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basic(keys.writeKey) },
      body: new TextEncoder().encode(
        JSON.stringify({ event: 'Untyped', anonymousId: 'a', messageId: 'untyped-1' }),
      ),
    })
    expect(res.status).toBe(200)
    await eventually(
      () => q(`SELECT event FROM events WHERE message_id = 'untyped-1'`),
      (r) => r.length === 1,
    )
    const broken = await fetch(`${shop.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basic(keys.writeKey) },
      body: new TextEncoder().encode('{"event": "Untyped'),
    })
    expect(broken.status).toBe(400)
    expect(((await broken.json()) as { code: string }).code).toBe('TP_ERR_MALFORMED_JSON')
  })

  it('reads a body in the charset its Content-Type names or with a byte order mark, and refuses an unknown charset', async () => {
    const call = (event: string, messageId: string) => JSON.stringify({ event, anonymousId: 'a', messageId })
    const sendBytes = (body: Buffer, type: string) =>
      fetch(`${shop.url}/v1/track`, {
        method: 'POST',
        headers: { authorization: basic(keys.writeKey), 'content-type': type },
        body: new Uint8Array(body),
      })
    // an older system's ISO-8859-1 bytes, labelled as such: read as UTF-8, the é became U+FFFD
    const latin1 = await sendBytes(
      Buffer.from(call('Café Visit', 'charset-1'), 'latin1'),
      'application/json; charset=ISO-8859-1',
    )
    expect(latin1.status).toBe(200)
    // .NET's UTF-8 writers put a byte order mark first
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(call('Bom Visit', 'charset-2'))])
    expect((await sendBytes(bom, 'application/json; charset=utf-8')).status).toBe(200)
    await eventually(
      () => q(`SELECT event FROM events WHERE message_id IN ('charset-1', 'charset-2') ORDER BY message_id`),
      (r) => r.length === 2,
    )
    expect(
      await q(`SELECT event FROM events WHERE message_id IN ('charset-1', 'charset-2') ORDER BY message_id`),
    ).toEqual([{ event: 'Café Visit' }, { event: 'Bom Visit' }])
    const unknown = await sendBytes(
      Buffer.from(call('Klingon Visit', 'charset-3')),
      'application/json; charset=x-klingon',
    )
    expect(unknown.status).toBe(415)
    expect(await unknown.json()).toMatchObject({
      code: 'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('charset x-klingon'),
    })
    await eventually(
      () =>
        q(
          `SELECT raw FROM events_rejected WHERE error_code = 'TP_ERR_UNSUPPORTED_MEDIA_TYPE' AND raw LIKE '%Klingon%'`,
        ),
      (r) => r.length === 1,
    )
  })

  it('accepts JSON sent as text/plain (sendBeacon)', async () => {
    const res = await send(
      '/v1/track',
      JSON.stringify({ event: 'Beacon', anonymousId: 'a' }),
      keys.writeKey,
      {
        'content-type': 'text/plain;charset=UTF-8',
      },
    )
    expect(res.status).toBe(200)
  })

  it('answers a batch that is not a list with 400 naming the field', async () => {
    const res = await send('/v1/batch', { batch: 'nope' })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('TP_ERR_INVALID_BODY')
    expect(res.body.path).toBe('batch')
  })

  it('never answers odd input with a 5xx', async () => {
    const bodies = [
      'null',
      '[]',
      '"s"',
      '1',
      '{"__proto__":{"polluted":1},"event":"p","anonymousId":"a"}',
      '{"batch":[null,1,"x",[],{}]}',
      '{"properties":[]}',
    ]
    for (const path of ['/v1/track', '/v1/batch', '/v1/identify']) {
      for (const body of bodies) {
        const res = await send(path, body)
        expect(res.status, `${path} ${body}`).toBeLessThan(500)
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
