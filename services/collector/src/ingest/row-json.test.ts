import type { EventRow } from '@touchpoint/schema'
import { describe, expect, it } from 'vitest'
import { CHROME_UA } from '../../../../test/helpers/http'
import { toEventRow } from '../enrich/event-row'
import { rowJson } from './process'

/** What rowJson must write: the row without its empty strings and nulls, through JSON.stringify. */
function reference(row: EventRow): string {
  const compact: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) if (value !== '' && value !== null) compact[key] = value
  return JSON.stringify(compact)
}

const facts = {
  projectId: 'p1',
  trusted: false,
  source: 'browser' as const,
  receivedAt: Date.UTC(2026, 10, 24, 12, 0, 0, 123),
  ip: '2001:db8::1',
  userAgent: CHROME_UA,
  sentAt: undefined,
}

describe('rowJson', () => {
  it('writes what JSON.stringify writes of the row without its empty fields', () => {
    const rows = [
      toEventRow(
        {
          type: 'page',
          anonymousId: 'a-1',
          properties: { url: 'https://shop.example/p?utm_source=news&gclid=x', title: 'Ünïcode "q" \\ 🎉' },
          context: { locale: 'de-DE', screen: { width: 390, height: 844 } },
        },
        facts,
      ),
      toEventRow(
        {
          type: 'track',
          event: 'Order\nCompleted\u2028\u0001',
          userId: 'u-1',
          properties: { revenue: 0.1 + 0.2, currency: 'eur', lone: '\ud800' },
        },
        facts,
        'c0ffee00-0000-8000-8000-000000000000',
      ),
    ]
    const odd = {
      ...rows[1],
      revenue: -0,
      screen_width: 1e21,
      title: '\t',
      url: '',
      sent_at: null,
    } as EventRow
    for (const row of [...rows, odd]) {
      expect(rowJson(row)).toBe(reference(row))
      expect(JSON.parse(rowJson(row))).toEqual(JSON.parse(reference(row)))
    }
    expect(rowJson(odd)).not.toContain('"url"')
    expect(rowJson(odd)).not.toContain('"sent_at"')
  })

  it('writes {} for a row with nothing in it', () => {
    expect(rowJson({ event_id: '', sent_at: null } as unknown as EventRow)).toBe('{}')
  })
})
