import { RECORD_KIND } from '@touchpoint/loader'
import { describe, expect, it } from 'vitest'
import { EventProcessor, LINK_RESEND_MS } from './process'

const facts = (receivedAt: number) => ({
  projectId: 'p1',
  trusted: true,
  source: 'server' as const,
  receivedAt,
  ip: '203.0.113.7',
  userAgent: undefined,
  sentAt: undefined,
})
const START = Date.UTC(2026, 11, 7, 12)

/** The identity link records of one identify call of anonymous id `a-1` and user id `u-1`, received at `at`. */
const linksOf = (processor: EventProcessor, at: number) =>
  processor
    .process(
      [{ type: 'identify', anonymousId: 'a-1', userId: 'u-1' }],
      'identify',
      facts(at),
      '/v1/identify',
      100,
    )
    .records.filter((r) => r.kind === RECORD_KIND.identity)
    .map((r) => JSON.parse(r.payload))

describe('identity links', () => {
  it('are written once while remembered, and again after LINK_RESEND_MS or an erasure', () => {
    const processor = new EventProcessor()
    const first = linksOf(processor, START)
    expect(first).toEqual([
      expect.objectContaining({
        anonymous_id: 'a-1',
        user_id: 'u-1',
        received_at: '2026-12-07 12:00:00.000',
      }),
    ])
    expect(linksOf(processor, START + 1000)).toEqual([])
    expect(linksOf(processor, START + LINK_RESEND_MS - 1)).toEqual([])
    // a collector that did not see the person's erasure links them again by then
    expect(linksOf(processor, START + LINK_RESEND_MS)).toHaveLength(1)
    expect(linksOf(processor, START + LINK_RESEND_MS + 1000)).toEqual([])
    processor.forgetLinks()
    expect(linksOf(processor, START + LINK_RESEND_MS + 2000)).toHaveLength(1)
  })
})
