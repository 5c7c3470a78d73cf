import type { Profile } from '@touchpoint/analytics'
import { describe, expect, it } from 'vitest'
import { profileText } from './report-text'

const person = (orders: Partial<Profile['orders']>): Profile => ({
  person: 'u1',
  userIds: ['u1'],
  anonymousIds: [],
  traits: {},
  firstSeen: '2026-03-02 00:00:00.000',
  lastSeen: '2026-03-03 00:00:00.000',
  events: 3,
  sessions: 0,
  devices: [],
  location: { country: '', timezone: '', language: '', locale: '' },
  channels: [],
  email: { sent: 0, opens: 0, machineOpens: 0, clicks: 0, scannerClicks: 0 },
  orders: {
    count: 2,
    revenue: 140,
    averageOrderValue: 70,
    currencies: ['EUR'],
    refunds: 0,
    refunded: 0,
    netRevenue: 140,
    ...orders,
  },
  nps: null,
  subscriptions: [],
  support: { tickets: 0, open: 0, lastOpenedAt: null },
  timeline: [],
})

describe('profileText', () => {
  it('says what refunds gave back under the orders, and nothing of refunds where there were none', () => {
    expect(profileText(person({ refunds: 2, refunded: 60, netRevenue: 80 }))).toMatch(
      /\norders\s+2, revenue 140\.00 EUR, AOV 70\.00 EUR\s*\nrefunds\s+2, gave back 60\.00 EUR, net revenue 80\.00 EUR\s*\n/,
    )
    expect(profileText(person({}))).not.toContain('refunds')
  })
})
