import { describe, expect, it } from 'vitest'
import { allPages, MAX_PAGE } from './all-pages'

/** A list of `n` ids as the API pages it, `shift` more entering at its head after the first page is read. */
const pagedList = (n: number, shift = 0) => {
  let list = Array.from({ length: n }, (_, i) => `p${i}`)
  const asked: Array<[number, number]> = []
  const ask = async (offset: number, limit: number) => {
    asked.push([offset, limit])
    const page = { total: list.length, ids: list.slice(offset, offset + limit) }
    if (asked.length === 1) list = [...Array.from({ length: shift }, (_, i) => `new${i}`), ...list]
    return page
  }
  return { ask, asked }
}

describe('allPages', () => {
  it('asks page after page until it has the total, each item once', async () => {
    const { ask, asked } = pagedList(2 * MAX_PAGE + 5)
    const { first, items } = await allPages(
      ask,
      (r) => r.ids,
      (id) => id,
    )
    expect(items).toHaveLength(2 * MAX_PAGE + 5)
    expect(new Set(items).size).toBe(items.length)
    expect(asked).toEqual([
      [0, MAX_PAGE],
      [MAX_PAGE, MAX_PAGE],
      [2 * MAX_PAGE, MAX_PAGE],
    ])
    expect(first.total).toBe(2 * MAX_PAGE + 5)
  })

  it('keeps an item once when the list moved on between pages, and starts at an offset', async () => {
    // three people enter after the first page: the second repeats the first page's last three
    const { ask } = pagedList(MAX_PAGE + 10, 3)
    const { items } = await allPages(
      ask,
      (r) => r.ids,
      (id) => id,
    )
    expect(items).toHaveLength(MAX_PAGE + 10)
    expect(new Set(items).size).toBe(items.length)
    // from an offset: the items past it, in pages from there
    const from = pagedList(MAX_PAGE + 10)
    const later = await allPages(
      from.ask,
      (r) => r.ids,
      (id) => id,
      7,
    )
    expect(later.items).toHaveLength(MAX_PAGE + 3)
    expect(later.items[0]).toBe('p7')
    expect(from.asked).toEqual([
      [7, MAX_PAGE],
      [MAX_PAGE + 7, MAX_PAGE],
    ])
  })

  it('stops at an empty list, and at a page that comes back short', async () => {
    expect(
      (
        await allPages(
          pagedList(0).ask,
          (r) => r.ids,
          (id) => id,
        )
      ).items,
    ).toEqual([])
    const short = { ask: async () => ({ total: 3 * MAX_PAGE, ids: ['a', 'b'] }) }
    expect(
      (
        await allPages(
          short.ask,
          (r) => r.ids,
          (id) => id,
        )
      ).items,
    ).toEqual(['a', 'b'])
  })
})
