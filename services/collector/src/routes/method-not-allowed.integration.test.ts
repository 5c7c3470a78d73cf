import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCollector } from '../../../../test/helpers/in-process'
import type { RunningCollector } from '../server'

let collector: RunningCollector

beforeAll(async () => {
  ;({ collector } = await startTestCollector())
})
afterAll(async () => {
  await collector?.close()
})

const ask = (method: string, url: string, headers: Record<string, string> = {}, payload?: string) =>
  collector.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined && { payload }) })

describe('a route asked with a method it does not take', () => {
  it('answers 405 naming the methods it takes, in the Allow header and the message', async () => {
    const get = await ask('GET', '/v1/track?x=1')
    expect(get.statusCode).toBe(405)
    expect(get.headers.allow).toBe('POST, OPTIONS')
    expect(get.json()).toMatchObject({
      code: 'TP_ERR_METHOD_NOT_ALLOWED',
      message: 'GET /v1/track: this route answers POST, OPTIONS',
    })
    const health = await ask('POST', '/healthz', { 'content-type': 'application/json' }, '{}')
    expect(health.statusCode).toBe(405)
    expect(health.headers.allow).toBe('GET, HEAD, OPTIONS')
  })

  it('matches routes with parameters and a trailing slash, before reading a body', async () => {
    expect((await ask('DELETE', '/e/o/dev/some-token.gif')).headers.allow).toBe('GET, HEAD, OPTIONS')
    expect((await ask('GET', '/v1/batch/')).statusCode).toBe(405)
    // a body of a type the collector refuses (415) is not read: the method is wrong first
    const put = await ask('PUT', '/v1/track', { 'content-type': 'application/xml' }, '<track/>')
    expect(put.statusCode).toBe(405)
    // an HTTP method Fastify otherwise parses a body for
    const query = await ask('QUERY', '/api/sql')
    expect(query.statusCode).toBe(405)
    expect(query.headers.allow).toBe('POST, OPTIONS')
  })

  it('still answers 404 for a path that is no route, and the routes as before', async () => {
    const missing = await ask('GET', '/v1/nothing')
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'TP_ERR_NOT_FOUND' })
    expect((await ask('GET', '/healthz')).statusCode).toBe(200)
    expect(
      (
        await ask('OPTIONS', '/v1/track', {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
        })
      ).statusCode,
    ).toBeLessThan(300)
  })
})
