import { RECORD_KIND } from '@touchpoint/loader'
import { describe, expect, it } from 'vitest'
import { batchToken } from './token'

const event = (id: string) => ({ kind: RECORD_KIND.event, id, payload: `{"event_id":"${id}"}` })
const link = (payload: string) => ({ kind: RECORD_KIND.identity, id: '', payload })

describe('batchToken', () => {
  it('is the same for a batch read again, and differs for other records at the same offsets', () => {
    const batch = [event('a'), event('b')]
    const token = batchToken('touchpoint.events', 2, '0', '1', batch)
    expect(token).toMatch(/^touchpoint\.events:2:0-1:[0-9a-f]{16}$/)
    expect(batchToken('touchpoint.events', 2, '0', '1', [event('a'), event('b')])).toBe(token)
    // a topic made again: its offsets start at 0 again, with other events in them
    expect(batchToken('touchpoint.events', 2, '0', '1', [event('c'), event('d')])).not.toBe(token)
    expect(batchToken('touchpoint.events', 1, '0', '1', batch)).not.toBe(token)
  })

  it('tells identity links, which have no id, apart by their rows', () => {
    const one = batchToken('t', 0, '0', '0', [link('{"a":"u1","b":"anon-1"}')])
    expect(batchToken('t', 0, '0', '0', [link('{"a":"u2","b":"anon-2"}')])).not.toBe(one)
  })
})
