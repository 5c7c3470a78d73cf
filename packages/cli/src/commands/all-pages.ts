import type { CliConfig } from '../config'
import { ask, type Endpoint } from './analytics-client'

/** The most a list's page holds (a funnel's people, the customers report's customers), and so `--all`'s page. */
export const MAX_PAGE = 10_000

/**
 * Every item of a list the API gives in pages (`--all`): asks for pages of `MAX_PAGE` from `offset` until it has
 * `total` of them or a page comes back short. A list read while events arrive can move between pages (a person
 * who enters a funnel meanwhile is listed first, and pushes the rest one place on), so an item seen on an earlier
 * page is kept once, by `key`. The first page's answer comes back with every item in place of its own.
 */
export async function allPages<R extends { total: number }, T>(
  ask: (offset: number, limit: number) => Promise<R>,
  items: (r: R) => T[],
  key: (item: T) => string,
  offset = 0,
): Promise<{ first: R; items: T[] }> {
  const seen = new Set<string>()
  const all: T[] = []
  let first: R | undefined
  for (let at = offset; ; at += MAX_PAGE) {
    const page = await ask(at, MAX_PAGE)
    first ??= page
    for (const item of items(page)) {
      if (seen.has(key(item))) continue
      seen.add(key(item))
      all.push(item)
    }
    if (items(page).length < MAX_PAGE || at + MAX_PAGE >= page.total) return { first, items: all }
  }
}

/**
 * A list's answer with every item of the list (`--all`): `endpoint` asked in pages from the request's `offset`,
 * `list` the answer's field that holds the items, each a person, kept once by their id.
 */
export async function askAll<R extends { total: number }>(
  config: CliConfig,
  endpoint: Endpoint,
  request: Record<string, unknown>,
  list: keyof R & string,
): Promise<R> {
  const { first, items } = await allPages(
    (offset, limit) => ask<R>(config, endpoint, { ...request, offset, limit }),
    (r) => r[list] as Array<{ person: string }>,
    (item) => item.person,
    typeof request.offset === 'number' ? request.offset : 0,
  )
  return { ...first, [list]: items }
}
