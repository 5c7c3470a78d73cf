import { eventMatch, matchLabel } from '@touchpoint/analytics'
import { describe, expect, it } from 'vitest'
import { parseEventMatch } from './analytics-args'

describe('parseEventMatch', () => {
  it('reads back the label a funnel step is given, every operator it takes', () => {
    const step = eventMatch.parse({
      event: 'Order Completed',
      filters: [
        { property: 'path', op: 'eq', value: '/checkout' },
        { property: 'properties.plan', op: 'neq', value: 'free' },
        { property: 'title', op: 'contains', value: 'Pay' },
        { property: 'properties.n', op: 'gt', value: 1 },
        { property: 'properties.n', op: 'gte', value: 2 },
        { property: 'properties.n', op: 'lt', value: 9 },
        { property: 'properties.n', op: 'lte', value: 8 },
      ],
    })
    const label = matchLabel(step)
    expect(label).toBe(
      'Order Completed[path=/checkout, properties.plan!=free, title~Pay, properties.n>1, properties.n>=2, properties.n<9, properties.n<=8]',
    )
    const read = eventMatch.parse(parseEventMatch(label))
    expect(read.filters?.map((f) => [f.property, f.op, String(f.value)])).toEqual(
      step.filters?.map((f) => [f.property, f.op, String(f.value)]),
    )
    expect(parseEventMatch('Signed Up')).toEqual({ event: 'Signed Up' })
    expect(() => parseEventMatch('Signed Up[plan]')).toThrow('plan: expected field=value (or != ~ > >= < <=)')
  })
})
