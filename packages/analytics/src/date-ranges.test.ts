import { afterAll, beforeAll, expect, it } from 'vitest'
import { funnel } from './funnel'
import { ordersRequest } from './report-requests'
import { orders } from './reports/orders'
import { type Fixture, openFixture, PROJECT } from './testing/fixture'

// Three orders around Black Friday: 23:30 on Thursday, 01:00 and 23:30 on Friday, in Los Angeles
const orderAt = (at: string, revenue: number) => ({
  event: 'Order Completed',
  user: `u-${revenue}`,
  at,
  revenue,
})
let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    orderAt('2026-11-27T07:30:00Z', 1),
    orderAt('2026-11-27T09:00:00Z', 10),
    orderAt('2026-11-28T07:30:00Z', 100),
  ])
})
afterAll(async () => fx?.close())

const orderRequestIssues = (r: Record<string, unknown>) =>
  ordersRequest.safeParse(r).error?.issues.map(({ path, message }) => ({ path, message }))

const friday = { project: PROJECT, from: '2026-11-27', to: '2026-11-28' }

it("takes a date-only range as whole days in the request's time zone", async () => {
  expect(await orders(fx.reader, { ...friday, timezone: 'America/Los_Angeles' })).toMatchObject({
    orders: 2,
    revenue: 110,
  })
  expect(await orders(fx.reader, friday)).toMatchObject({ orders: 2, revenue: 11 }) // UTC, the default
  const steps = [{ event: 'Order Completed' }]
  const f = await funnel(fx.reader, { ...friday, timezone: 'Europe/Berlin', steps })
  expect(f.steps[0]?.people).toBe(2) // 08:30 and 10:00 on Friday in Berlin; the third is Saturday there
})

it('leaves a date-time with its offset as it is, whatever the time zone', async () => {
  const range = { project: PROJECT, from: '2026-11-27T09:00:00Z', to: '2026-11-27T09:00:01Z' }
  expect(await orders(fx.reader, { ...range, timezone: 'America/Los_Angeles' })).toMatchObject({
    revenue: 10,
  })
})

it('refuses a date it cannot read, a date-time without its offset and a range before 1970, naming the field', () => {
  const issue = (r: Record<string, unknown>) => orderRequestIssues({ project: PROJECT, ...r })
  const help = 'expected a date as YYYY-MM-DD or a date-time with its offset, such as 2026-11-01T09:00:00Z'
  expect(issue({ from: 'garbage', to: '2026-11-28' })).toEqual([{ path: ['from'], message: help }])
  expect(issue({ from: '2026-02-30', to: '2026-11-28' })).toEqual([{ path: ['from'], message: help }])
  expect(issue({ from: '2026-11-27', to: '2026-11-28T09:00' })).toEqual([{ path: ['to'], message: help }])
  expect(issue({ from: '1969-12-31', to: '2026-11-28' })).toEqual([
    { path: ['from'], message: 'must be 1970-01-01 or later' },
  ])
})
