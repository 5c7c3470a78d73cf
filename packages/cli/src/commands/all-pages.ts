import type { CustomerRow, CustomersResult, FunnelPeopleResult, FunnelPerson } from '@touchpoint/analytics'
import type { CliConfig } from '../config'
import { ask, type Endpoint } from './analytics-client'

/** The most a list's page holds (a funnel's people, the customers report's customers), and so `--all`'s page. */
export const MAX_PAGE = 10_000

/**
 * Every item of a list the API gives in pages by person (`after`): asks for pages of `MAX_PAGE` from the start of
 * the ids' order, each after the last id of the page before, until a page comes back short. A person who joins or
 * leaves the list while it is read moves nobody else, so each who stayed on it is listed once (an offset would move
 * the rest up a place and skip one). The first page's answer comes back with every item in place of its own.
 */
export async function allPages<R, T>(
  ask: (after: string, limit: number) => Promise<R>,
  items: (r: R) => T[],
  key: (item: T) => string,
): Promise<{ first: R; items: T[] }> {
  const all: T[] = []
  let first: R | undefined
  for (let after = ''; ; ) {
    const page = await ask(after, MAX_PAGE)
    first ??= page
    const got = items(page)
    for (const item of got) all.push(item)
    const last = got[got.length - 1]
    if (got.length < MAX_PAGE || last === undefined) return { first, items: all }
    after = key(last)
  }
}

/** Two ids in ClickHouse's order for strings, byte by byte of their UTF-8. */
export const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** The fields the customers report sorts by (`sort`), the most first, as its SQL does. */
const CUSTOMER_SORT: Record<string, (c: CustomerRow) => number | string> = {
  revenue: (c) => c.revenue,
  orders: (c) => c.orders,
  lifetimeRevenue: (c) => c.lifetimeRevenue,
  lastOrder: (c) => c.lastOrderAt,
}

/** Most first by `value`, then by person: the order a list's own pages (`offset`) come in. */
const mostFirst =
  <T extends { person: string }>(value: (item: T) => number | string) =>
  (a: T, b: T) => {
    const x = value(a)
    const y = value(b)
    return x < y ? 1 : x > y ? -1 : byteOrder(a.person, b.person)
  }

/**
 * Every item of a list (`--all`): `endpoint` asked in pages by person, then put in `order`, the order its own pages
 * (`offset`) have, from the request's `offset`.
 */
async function askAllOf<R, T extends { person: string }>(
  config: CliConfig,
  endpoint: Endpoint,
  request: Record<string, unknown>,
  list: (r: R) => T[],
  order: (r: R) => (a: T, b: T) => number,
): Promise<{ first: R; offset: number; items: T[] }> {
  const offset = typeof request.offset === 'number' ? request.offset : 0
  const { first, items } = await allPages(
    (after, limit) => ask<R>(config, endpoint, { ...request, offset: undefined, after, limit }),
    list,
    (item) => item.person,
  )
  return { first, offset, items: items.sort(order(first)).slice(offset) }
}

/** Everyone a funnel's people list holds (`--people … --all`), the latest to enter first. */
export async function allFunnelPeople(
  config: CliConfig,
  request: Record<string, unknown>,
): Promise<FunnelPeopleResult> {
  const { first, offset, items } = await askAllOf<FunnelPeopleResult, FunnelPerson>(
    config,
    'funnel-people',
    request,
    (r) => r.people,
    () => mostFirst((p) => p.enteredAt),
  )
  return { ...first, offset, people: items }
}

/** Every customer of the group (`report customers --all`), in the report's sort, the most first. */
export async function allCustomers(
  config: CliConfig,
  request: Record<string, unknown>,
): Promise<CustomersResult> {
  const { first, offset, items } = await askAllOf<CustomersResult, CustomerRow>(
    config,
    'customers',
    request,
    (r) => r.customers,
    (r) => mostFirst(CUSTOMER_SORT[r.sort] ?? CUSTOMER_SORT.revenue!),
  )
  return { ...first, offset, customers: items }
}
