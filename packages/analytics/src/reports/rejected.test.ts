import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, openFixture, PROJECT } from '../testing/fixture'
import { rejected } from './rejected'

const T0 = Date.UTC(2026, 4, 4, 9)
const MIN = 60_000
const range = { project: PROJECT, from: '2026-05-04', to: '2026-05-05' }
const event = { path: 'event', message: 'is required (string)' }
const revenue = { path: 'properties.revenue', message: 'expected a number' }

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.rejected([
    // three calls without an event name, one of them with a revenue sent as text as well
    { code: 'TP_ERR_VALIDATION', issues: [event], at: T0 },
    {
      code: 'TP_ERR_VALIDATION',
      issues: [event, revenue],
      at: T0 + MIN,
      source: 'server',
      route: '/v1/track',
    },
    // this one stored twice (replayed after a crash): one refusal
    {
      code: 'TP_ERR_VALIDATION',
      issues: [event],
      at: T0 + 2 * MIN,
      id: '00000000-0000-4000-8000-00000000000a',
    },
    {
      code: 'TP_ERR_VALIDATION',
      issues: [event],
      at: T0 + 2 * MIN,
      id: '00000000-0000-4000-8000-00000000000a',
    },
    // a body that did not parse, and a forged email link
    {
      code: 'TP_ERR_MALFORMED_JSON',
      issues: [{ path: '', message: 'Unexpected end of JSON input' }],
      at: T0,
    },
    {
      code: 'TP_ERR_EMAIL_TOKEN',
      issues: [{ path: 'token', message: 'bad signature' }],
      at: T0,
      source: 'email',
    },
    // outside the range, and another project's
    { code: 'TP_ERR_VALIDATION', issues: [event], at: T0 - 10 * 3_600_000 },
    { code: 'TP_ERR_VALIDATION', issues: [event], at: T0, project: 'other' },
  ])
})
afterAll(() => fx?.close())

describe('rejected report', () => {
  it('counts each refusal once by code and field, with its latest message, sources and routes', async () => {
    const r = await rejected(fx.reader, range)
    expect(r.rows.map((x) => [x.code, x.field, x.refused])).toEqual([
      ['TP_ERR_VALIDATION', 'event', 3],
      ['TP_ERR_EMAIL_TOKEN', 'token', 1],
      ['TP_ERR_MALFORMED_JSON', '', 1],
      ['TP_ERR_VALIDATION', 'properties.revenue', 1],
    ])
    expect(r.rows[0]).toMatchObject({
      message: 'is required (string)',
      sources: ['browser', 'server'],
      routes: ['/v1/batch', '/v1/track'],
      lastSeen: new Date(T0 + 2 * MIN).toISOString(),
    })
    // the call with two issues is one refused call
    expect(r.total).toEqual({ refused: 5, rows: 4 })
  })

  it('lists at most `limit` rows and still counts them all', async () => {
    const r = await rejected(fx.reader, { ...range, limit: 1 })
    expect(r.rows.map((x) => x.field)).toEqual(['event'])
    expect(r.total).toEqual({ refused: 5, rows: 4 })
    // a project with none
    expect(await rejected(fx.reader, { ...range, project: 'none' })).toEqual({
      rows: [],
      total: { refused: 0, rows: 0 },
    })
  })
})
