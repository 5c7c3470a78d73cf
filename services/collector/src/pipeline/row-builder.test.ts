import { RECORD_KIND } from '@touchpoint/loader'
import { afterAll, describe, expect, it } from 'vitest'
import { CHROME_UA } from '../../../../test/helpers/http'
import type { EmailConfig } from '../config'
import { clickCall, openCall } from '../email/events'
import type { RequestFacts } from '../enrich/event-row'
import { IpCountries } from '../enrich/ip-country'
import { acceptedRecord, EventProcessor } from '../ingest/process'
import type { SpoolRecord } from '../spool/codec'
import { RowBuilder } from './row-builder'

const facts = {
  projectId: 'p1',
  trusted: false,
  source: 'browser' as const,
  receivedAt: Date.UTC(2026, 10, 23, 12, 0, 0, 123),
  ip: '203.0.113.77',
  userAgent: CHROME_UA,
  sentAt: '2026-11-23T12:00:00.100Z',
}
/** Calls that fill many columns: page fields, campaign, revenue, traits, an alias, an identify, odd text. */
const calls = [
  {
    type: 'page',
    anonymousId: 'a-1',
    messageId: 'm-1',
    timestamp: '2026-11-23T11:59:59.000Z',
    properties: { url: 'https://shop.example/p?utm_source=news&utm_medium=email&gclid=x', title: 'P "1"' },
    context: {
      page: { referrer: 'https://www.google.com/' },
      locale: 'de-DE',
      screen: { width: 390, height: 844 },
    },
  },
  {
    type: 'track',
    event: 'Order Completed',
    userId: 'u-1',
    anonymousId: 'a-1',
    properties: { revenue: 49.9, currency: 'eur', note: 'line\nbreak \u2028 and \\ and "quotes"' },
  },
  { type: 'identify', userId: 'u-2', anonymousId: 'a-2', traits: { plan: 'pro', n: -0 } },
  { type: 'alias', userId: 'u-3', previousId: 'a-3' },
]

const builder = new RowBuilder()
afterAll(() => builder.close())

const byKind = (records: readonly SpoolRecord[], kind: number) => records.filter((r) => r.kind === kind)
const utf8 = new TextDecoder()
/** The records with each event input replaced by the row the thread built from it (its line of the body). */
async function buildRows(records: readonly SpoolRecord[]): Promise<SpoolRecord[]> {
  const inputs = byKind(records, RECORD_KIND.eventInput)
  const lines = utf8.decode(await builder.build(inputs.map((r) => r.payload))).split('\n')
  expect(lines).toHaveLength(inputs.length)
  let i = 0
  return records.map((r) =>
    r.kind === RECORD_KIND.eventInput ? { ...r, kind: RECORD_KIND.event, payload: lines[i++] as string } : r,
  )
}
/** The records of one request's calls, with rows built on the request path or deferred as event inputs. */
const processed = (items: unknown[], deferRows: boolean, request: RequestFacts = facts) =>
  new EventProcessor(undefined, { deferRows }).process(items, undefined, request, '/v1/batch', 2_000)
/** An event row's record without its id (random when the call has no messageId), checking the id matches the row's. */
const withoutId = (r: SpoolRecord | undefined) => {
  const { event_id, ...row } = JSON.parse(r?.payload ?? '{}')
  expect(event_id).toBe(r?.id)
  return { key: r?.key, row }
}

describe('rows built after the acknowledgement', () => {
  it('are the rows the request path builds, and the same records around them', async () => {
    const direct = processed(calls, false)
    const deferred = processed(calls, true)
    expect(deferred.accepted).toBe(calls.length)
    expect(byKind(deferred.records, RECORD_KIND.event)).toEqual([])
    // the identity links are the same, made on the request path in both cases
    expect(byKind(deferred.records, RECORD_KIND.identity)).toEqual(
      byKind(direct.records, RECORD_KIND.identity),
    )
    expect(byKind(deferred.records, RECORD_KIND.identity)).toHaveLength(3)

    // each input carries the request's facts, the address anonymised (serialised once for the request's events)
    const inputs = byKind(deferred.records, RECORD_KIND.eventInput)
    expect(inputs.map((r) => JSON.parse(r.payload).facts)).toEqual(
      calls.map(() => ({ ...facts, ip: '203.0.113.0' })),
    )
    const built = await buildRows(deferred.records)
    expect(byKind(built, RECORD_KIND.eventInput)).toEqual([])
    const rows = byKind(built, RECORD_KIND.event)
    const expected = byKind(direct.records, RECORD_KIND.event)
    expect(rows).toHaveLength(calls.length)
    // messageId m-1 gives the same id both ways; without one the id is random, so compare the rest of the row
    expect(rows.map(withoutId)).toEqual(expected.map(withoutId))
    expect(rows[0]?.id).toBe(expected[0]?.id)
  })

  it('spool no full client address: the call’s and the request’s are anonymised first, as the row stores them', async () => {
    const trusted = { ...facts, trusted: true, source: 'server' as const, ip: '198.51.100.23' }
    const call = {
      type: 'track',
      event: 'Store Visit',
      userId: 'u-9',
      context: { ip: '2001:db8:85a3:8d3::7348' },
    }
    const direct = processed([call], false, trusted)
    const { records } = processed([call], true, trusted)
    const [input] = records
    // the whole addresses, not fragments of them: a fragment such as '8d3' can turn up in the record's random id
    expect(input?.payload).not.toContain('198.51.100.23')
    expect(input?.payload).not.toContain('2001:db8:85a3:8d3')
    const spooled = JSON.parse(input?.payload ?? '{}')
    expect([spooled.event?.context?.ip, spooled.facts?.ip]).toEqual(['2001:db8:85a3::', '198.51.100.0'])
    const [built] = await buildRows(records)
    const { row } = withoutId(built)
    expect(row).toEqual(withoutId(direct.records[0]).row)
    expect(row.ip).toBe('2001:db8:85a3::')
  })

  it('carry the country of the address, looked up before it was anonymised, deferred or not', async () => {
    const ipCountries = IpCountries.parse('203.0.113.0,203.0.113.255,NZ\n2001:db8::,2001:db8::ffff,JP')
    const geo = (items: unknown[], deferRows: boolean, request: RequestFacts) =>
      new EventProcessor(undefined, { deferRows, ipCountries }).process(
        items,
        undefined,
        request,
        '/v1/batch',
        2_000,
      )
    // a browser's batch: the request's address; a server's call: the address it names for its customer
    const server = { ...facts, trusted: true, source: 'server' as const, ip: '198.51.100.23' }
    const customer = { type: 'track', event: 'Store Visit', userId: 'u-9', context: { ip: '2001:db8::7' } }
    for (const [items, request, countries] of [
      [calls, facts, ['NZ', 'NZ', 'NZ', 'NZ']],
      [[customer, { ...customer, context: {} }], server, ['JP', undefined]],
    ] as const) {
      const direct = geo([...items], false, request)
      const built = await buildRows(geo([...items], true, request).records)
      const rowsOf = (records: readonly SpoolRecord[]) =>
        byKind(records, RECORD_KIND.event).map((r) => JSON.parse(r.payload).ip_country)
      expect(rowsOf(direct.records)).toEqual(countries)
      expect(rowsOf(built)).toEqual(countries)
    }
  })

  it('spool and store no email address or card number that a page URL carried, deferred or not', async () => {
    const call = {
      type: 'page',
      anonymousId: 'a-7',
      context: {
        page: {
          url: 'https://shop.example/thank-you?order=A-1&card=4242424242424242&email=ada%40example.com',
          referrer: 'https://shop.example/checkout?cvc=737',
          title: 'Thanks, ada@example.com',
        },
      },
    }
    const { records } = processed([call], true)
    const { records: direct } = processed([call], false)
    // the code as the parameter carried it: a bare '737' also turns up in a random event id now and then
    for (const text of [records[0]?.payload, direct[0]?.payload]) {
      for (const secret of ['4242424242424242', 'ada%40example.com', 'ada@example.com', 'cvc=737'])
        expect(text).not.toContain(secret)
    }
    const [built] = await buildRows(records)
    const { row } = withoutId(built)
    expect(row).toEqual(withoutId(direct[0]).row)
    expect(row).toMatchObject({
      url: 'https://shop.example/thank-you?order=A-1&card=(redacted)&email=(redacted)',
      path: '/thank-you',
      referrer: 'https://shop.example/checkout?cvc=(redacted)',
      title: 'Thanks, (redacted)',
    })
  })

  it('spool no key that a call carried in its body, and build the same row without it', async () => {
    const call = {
      type: 'track',
      event: 'Body Key',
      anonymousId: 'a-1',
      writeKey: 'sk_secret_0123456789abcdef',
    }
    const direct = processed([call], false)
    const { records } = processed([call], true)
    expect(records[0]?.payload).not.toContain('sk_secret_0123456789abcdef')
    expect(JSON.parse(records[0]?.payload ?? '{}').event).toEqual({
      type: 'track',
      event: 'Body Key',
      anonymousId: 'a-1',
    })
    const [built] = await buildRows(records)
    expect(withoutId(built).row).toEqual(withoutId(direct.records[0]).row)
  })

  it('build email opens and clicks as the request path does, never flagged as bots', async () => {
    // a scanner's user agent: the verdict says so, the row's bot flag does not
    const email = { ...facts, source: 'email' as const, userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0)' }
    const claims = { campaignId: 'spring', emailId: 'e-1', recipient: 'u-7', sentAt: 1_795_000_000 }
    const emailCalls = [
      openCall({ ...claims, kind: 'open' }, { machine: true, reason: 'bot_user_agent', proxy: '' }, email, {
        utmSource: 'newsletter',
      } as EmailConfig),
      clickCall(
        { ...claims, kind: 'click', target: 'https://shop.example/sale', linkId: 'hero' },
        { scanner: true, reason: 'bot_user_agent' },
        email,
        'https://shop.example/sale?utm_source=newsletter&utm_medium=email&utm_campaign=spring',
      ),
    ]
    const direct = emailCalls.map((c) => acceptedRecord(c, email, false).record)
    const deferred = emailCalls.map((c) => acceptedRecord(c, email, true).record)
    expect(deferred.map((r) => r.kind)).toEqual([RECORD_KIND.eventInput, RECORD_KIND.eventInput])
    const rows = (await buildRows(deferred)).map(withoutId)
    expect(rows).toEqual(direct.map(withoutId))
    expect(rows.map((r) => [r.row.event, r.row.source, r.row.is_bot, r.row.device_type])).toEqual([
      ['Email Opened', 'email', 0, 'bot'],
      ['Email Clicked', 'email', 0, 'bot'],
    ])
    expect(rows[1]?.row.utm_campaign).toBe('spring')
  })

  it('give a replayed input the same row, id and all', async () => {
    const { records } = processed([calls[1]], true)
    const [first] = await buildRows(records)
    const [again] = await buildRows(records)
    expect(again).toEqual(first)
  })

  it('keep on after the thread building them dies: the batch in flight fails and the next one is built', async () => {
    const { records } = processed([calls[0]], true)
    await expect(builder.build(['not json'])).rejects.toThrow(/building rows failed/)
    await (builder as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate()
    const built = await buildRows(records)
    expect(built.map((r) => r.kind)).toEqual([RECORD_KIND.event])
  })
})
