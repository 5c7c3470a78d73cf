import { describe, expect, it } from 'vitest'
import { allPages, byteOrder, MAX_PAGE } from './all-pages'

const id = (i: number) => `p${String(i).padStart(6, '0')}`

/**
 * A list of `n` ids as the API pages it by person (`after`); `between` changes it after each page is read, as
 * events arriving meanwhile would.
 */
const pagedList = (n: number, between: (list: string[], page: number) => string[] = (l) => l) => {
  let list = Array.from({ length: n }, (_, i) => id(i))
  const asked: string[] = []
  const ask = async (after: string, limit: number) => {
    asked.push(after)
    const ids = list.filter((x) => byteOrder(x, after) > 0).slice(0, limit)
    const page = { total: list.length, ids }
    list = between(list, asked.length).sort(byteOrder)
    return page
  }
  return { ask, asked }
}
const all = (list: ReturnType<typeof pagedList>) =>
  allPages(
    list.ask,
    (r) => r.ids,
    (x) => x,
  )

describe('allPages', () => {
  it('asks page after page, each after the last id of the one before, until one comes back short', async () => {
    const list = pagedList(2 * MAX_PAGE + 5)
    const { first, items } = await all(list)
    expect(items).toEqual(Array.from({ length: 2 * MAX_PAGE + 5 }, (_, i) => id(i)))
    expect(list.asked).toEqual(['', id(MAX_PAGE - 1), id(2 * MAX_PAGE - 1)])
    expect(first.total).toBe(2 * MAX_PAGE + 5)
  })

  it('lists each person who stayed on the list once when others join or leave it between pages', async () => {
    // after the first page, three people listed on it and three on the next leave (they converted), and two join
    const leavers = [id(1), id(2), id(3), id(MAX_PAGE), id(MAX_PAGE + 1), id(MAX_PAGE + 2)]
    const list = pagedList(MAX_PAGE + 10, (l, page) =>
      page === 1 ? [...l.filter((x) => !leavers.includes(x)), 'a-new', 'z-new'] : l,
    )
    const { items } = await all(list)
    const stayed = Array.from({ length: MAX_PAGE + 10 }, (_, i) => id(i)).filter(
      (x) => !leavers.slice(3).includes(x),
    )
    // those on the first page were read before they left; 'a-new' joined before where the reading was, 'z-new' after
    expect(items).toEqual([...stayed, 'z-new'])
  })

  it('stops at an empty list, and at a page that comes back short', async () => {
    expect((await all(pagedList(0))).items).toEqual([])
    const short = { ask: async () => ({ total: 3 * MAX_PAGE, ids: ['a', 'b'] }), asked: [] }
    expect((await all(short)).items).toEqual(['a', 'b'])
  })
})

describe('byteOrder', () => {
  it('orders ids as ClickHouse orders strings, by their UTF-8 bytes', () => {
    // UTF-16 puts U+FF5E after U+1F600's high surrogate (0xD83D); UTF-8 puts it before (EF BD BE < F0 9F 98 80)
    expect(['😀', '～', 'b', 'B', 'a1'].sort(byteOrder)).toEqual(['B', 'a1', 'b', '～', '😀'])
  })
})
