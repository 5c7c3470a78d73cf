import { describe, expect, it } from 'vitest'
import { customerEvents, orderCompleted, surveyAnswered } from './customer-events'
import { validateEvent } from './validate'

const track = (event: string, properties: Record<string, unknown>) => ({
  type: 'track',
  event,
  userId: 'u1',
  properties,
})

describe('customer-data events', () => {
  it('has a schema for each documented event', () => {
    expect(Object.keys(customerEvents).sort()).toEqual([
      'Call Logged',
      'Email Bounced',
      'Email Delivered',
      'Email Marked as Spam',
      'Email Sent',
      'Email Unsubscribed',
      'Experiment Viewed',
      'Lead Captured',
      'Order Completed',
      'Order Refunded',
      'Store Visited',
      'Subscription Cancelled',
      'Subscription Started',
      'Support Ticket Opened',
      'Support Ticket Resolved',
      'Survey Answered',
    ])
  })

  it('requires every documented field in the full schema (what the SDK helpers check)', () => {
    const r = orderCompleted.safeParse({ orderId: 'A1', revenue: 10 })
    expect(r.success).toBe(false)
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['channel', 'currency'])
    expect(
      orderCompleted.safeParse({
        orderId: 'A1',
        revenue: 10,
        currency: 'EUR',
        channel: 'phone',
        products: [{ productId: 'p', price: 5, quantity: 2 }],
      }).success,
    ).toBe(true)
    expect(surveyAnswered.safeParse({ survey: 's', question: 'q', type: 'nps', answer: 10 }).success).toBe(
      true,
    )
  })

  it('refuses an NPS answer that is not a whole number from 0 to 10, naming the field', () => {
    for (const answer of ['9', 11, -1, 7.5, null]) {
      const v = validateEvent(track('Survey Answered', { survey: 's', question: 'q', type: 'nps', answer }))
      expect(v.ok, String(answer)).toBe(false)
      if (!v.ok) expect(v.issues[0]?.path).toBe('properties.answer')
    }
    expect(
      validateEvent(track('Survey Answered', { survey: 's', question: 'q', type: 'nps', answer: 0 })).ok,
    ).toBe(true)
    // another kind of survey may answer in words
    expect(
      validateEvent(track('Survey Answered', { survey: 's', question: 'q', type: 'text', answer: 'great' }))
        .ok,
    ).toBe(true)
  })

  it('refuses present fields of the wrong type, and lets Segment-spec names through', () => {
    const bad = validateEvent(track('Order Completed', { orderId: 'A', revenue: -5, channel: 'fax' }))
    expect(bad.ok).toBe(false)
    if (!bad.ok)
      expect(bad.issues.map((i) => i.path).sort()).toEqual(['properties.channel', 'properties.revenue'])
    // analytics.js ecommerce spec: order_id and total, none of Touchpoint's names
    expect(validateEvent(track('Order Completed', { order_id: 'A', total: 30, currency: 'USD' })).ok).toBe(
      true,
    )
    // other event names are free-form, but for the revenue every track call may carry (revenue.test.ts)
    expect(validateEvent(track('Order Shipped', { carrier: 'DHL', weight: 'heavy' })).ok).toBe(true)
  })

  it("takes the spec's order_id and product_id as orderId and productId, keeping what was sent", () => {
    const order = validateEvent(
      track('Order Completed', {
        order_id: 50314,
        total: 30,
        products: [
          { product_id: '507f1f77', price: 18 },
          { productId: 'own', product_id: 'other' },
        ],
      }),
    )
    expect(order.ok && order.event.type === 'track' && order.event.properties).toEqual({
      order_id: 50314,
      orderId: '50314',
      total: 30,
      products: [
        { product_id: '507f1f77', productId: '507f1f77', price: 18 },
        { productId: 'own', product_id: 'other' },
      ],
    })
    // the spec's first version named a line's id `id`, as Segment's Go library still writes it
    const go = validateEvent(track('Order Completed', { orderId: 'G', products: [{ id: 'p1', sku: 'S1' }] }))
    expect(go.ok && go.event.type === 'track' && go.event.properties?.products).toEqual([
      { id: 'p1', productId: 'p1', sku: 'S1' },
    ])
    // a line the spec's way is no longer refused for its missing productId
    expect(
      validateEvent(track('Order Refunded', { order_id: 'A', products: [{ product_id: 'p' }] })).ok,
    ).toBe(true)
    // Touchpoint's own names win, and other events are left as they came
    const own = { orderId: 'B', order_id: 'A' }
    const kept = validateEvent(track('Order Completed', own))
    expect(kept.ok && kept.event.type === 'track' && kept.event.properties).toEqual(own)
    const other = validateEvent(track('Product Added', { product_id: 'p' }))
    expect(other.ok && other.event.type === 'track' && other.event.properties).toEqual({ product_id: 'p' })
  })

  it('takes a null field as one not given, in the helpers and at the collector', () => {
    // a shop's database row: no coupon, no store, a line without a SKU
    const row = {
      orderId: 'A1',
      revenue: 20,
      currency: 'EUR',
      channel: 'web',
      coupon: null,
      storeId: null,
      products: [{ productId: 'k1', sku: null, price: 10, quantity: 2 }],
    }
    expect(orderCompleted.safeParse(row).success).toBe(true)
    const order = validateEvent(track('Order Completed', row))
    expect(order.ok && order.event.type === 'track' && order.event.properties).toEqual(row)
    // at the collector every field may be absent, so null too, where the helper requires it
    expect(validateEvent(track('Order Completed', { orderId: 'A2', revenue: null, currency: null })).ok).toBe(
      true,
    )
    expect(orderCompleted.safeParse({ ...row, revenue: null }).success).toBe(false)
    expect(
      validateEvent(track('Support Ticket Opened', { ticketId: 'T1', priority: null, category: null })).ok,
    ).toBe(true)
    // what is there must still be of its type
    const bad = validateEvent(track('Support Ticket Opened', { ticketId: 'T1', priority: 'soon' }))
    expect(bad.ok || bad.issues.map((i) => i.path)).toEqual(['properties.priority'])
  })

  it("takes an order's amounts written as decimal strings, as the revenue column does", () => {
    const order = validateEvent(
      track('Order Completed', {
        orderId: 'A1',
        revenue: '12.50',
        currency: 'EUR',
        products: [{ productId: 'k1', price: '6.25', quantity: 2 }],
      }),
    )
    expect(order.ok).toBe(true)
    expect(validateEvent(track('Subscription Started', { subscriptionId: 's', revenue: '9.90' })).ok).toBe(
      true,
    )
    expect(validateEvent(track('Order Refunded', { orderId: 'A1', revenue: '2.5' })).ok).toBe(true)
    for (const [revenue, message] of [
      ['€12', 'must be a number such as 144.5, or a string of one, without a currency sign or separators'],
      ['12,50', 'must be a number such as 144.5, or a string of one, without a currency sign or separators'],
      ['-5', 'Too small: expected number to be >=0'],
    ]) {
      const v = validateEvent(track('Order Completed', { orderId: 'A1', revenue, currency: 'EUR' }))
      expect(v.ok || v.issues, revenue).toEqual([{ path: 'properties.revenue', message }])
    }
    const line = validateEvent(
      track('Order Completed', { orderId: 'A1', products: [{ productId: 'k', price: '$6' }] }),
    )
    expect(line.ok || line.issues.map((i) => i.path)).toEqual(['properties.products[0].price'])
    // the helpers are typed: a number
    expect(
      orderCompleted.safeParse({ orderId: 'A1', revenue: '12.50', currency: 'EUR', channel: 'web' }).success,
    ).toBe(false)
  })

  it("takes an order's and a line's id sent as a number as its digits", () => {
    const order = validateEvent(
      track('Order Completed', { orderId: 1234, revenue: 5, products: [{ productId: 77, price: 5 }] }),
    )
    expect(order.ok && order.event.type === 'track' && order.event.properties).toEqual({
      orderId: '1234',
      revenue: 5,
      products: [{ productId: '77', price: 5 }],
    })
    // a line that is no object is refused, not a crash
    const odd = validateEvent(track('Order Completed', { orderId: 1, products: [null, 'k'] }))
    expect(odd.ok || odd.issues.map((i) => i.path)).toEqual([
      'properties.products[0]',
      'properties.products[1]',
    ])
  })

  it('keeps free text out of lead events', () => {
    expect(validateEvent(track('Lead Captured', { formId: '', formName: '' })).ok).toBe(true)
    const v = validateEvent(track('Lead Captured', { formName: 'newsletter', email: 'a@example.com' }))
    expect(v.ok).toBe(false)
    if (!v.ok) expect(v.issues[0]?.message).toMatch(/email/)
  })
})
