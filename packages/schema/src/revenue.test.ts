import { describe, expect, it } from 'vitest'
import { revenueOf } from './revenue'
import { validateEvent } from './validate'

const track = (event: string, properties: Record<string, unknown>) =>
  validateEvent({ type: 'track', event, userId: 'u1', properties })

describe('the revenue of a track call', () => {
  it('reads revenue, else total, else value, as a number or a string of one', () => {
    expect(revenueOf({ revenue: 144, total: 9, value: 1 })).toBe(144)
    expect(revenueOf({ total: '19.99' })).toBe(19.99)
    expect(revenueOf({ value: ' 5 ' })).toBe(5)
    expect(revenueOf({ revenue: '1e3' })).toBe(1000)
    expect(revenueOf({ revenue: 0.123456 })).toBe(0.1235)
    expect(revenueOf({ value: 'blue' })).toBeNull()
    expect(revenueOf({ revenue: '0x10' })).toBeNull()
    expect(revenueOf({})).toBeNull()
  })

  it('refuses a revenue that is not a number, naming the field, for any event name', () => {
    for (const revenue of ['€144', '144,50', '1,234.00', 'lots', '', true, { amount: 1 }, [144]]) {
      const v = track('Signed Up', { revenue, currency: 'EUR' })
      expect(v, JSON.stringify(revenue)).toEqual({
        ok: false,
        issues: [
          {
            path: 'properties.revenue',
            message:
              'must be a number such as 144.5, or a string of one, without a currency sign or separators',
          },
        ],
      })
    }
    expect(track('Signed Up', { revenue: 2e12 })).toMatchObject({
      ok: false,
      issues: [{ path: 'properties.revenue', message: 'must be at most 1000000000000 either way' }],
    })
    expect(track('Signed Up', { revenue: '144.50', currency: 'eur' }).ok).toBe(true)
    expect(track('Discount Given', { revenue: -5 }).ok).toBe(true)
    expect(track('Signed Up', { revenue: null }).ok).toBe(true)
  })

  it("checks an order's total as its revenue, and leaves total and value free elsewhere", () => {
    expect(track('Order Completed', { order_id: 'A', total: '€30', currency: 'EUR' })).toMatchObject({
      ok: false,
      issues: [{ path: 'properties.total' }],
    })
    expect(track('Order Completed', { order_id: 'A', total: '30.00', currency: 'EUR' }).ok).toBe(true)
    expect(track('Quiz Finished', { total: '7 of 10', value: 'hard' }).ok).toBe(true)
  })

  it('refuses the currency of a revenue unless it is a 3-letter code', () => {
    expect(track('Signed Up', { revenue: 144, currency: 'euro' })).toEqual({
      ok: false,
      issues: [{ path: 'properties.currency', message: 'must be a 3-letter ISO 4217 code, such as EUR' }],
    })
    expect(track('Signed Up', { value: 3, currency: 7 })).toMatchObject({ ok: false })
    expect(track('Signed Up', { revenue: 144, currency: '' }).ok).toBe(true)
    // a currency with no revenue is no column, so it is left as sent
    expect(track('Currency Switched', { currency: 'Euro' }).ok).toBe(true)
  })

  it("leaves an order's revenue to its own schema, with one issue per field", () => {
    const v = track('Order Completed', { orderId: 'A', revenue: '€144', currency: 'EUR', channel: 'web' })
    expect(v.ok).toBe(false)
    if (!v.ok) expect(v.issues.map((i) => i.path)).toEqual(['properties.revenue'])
  })
})
