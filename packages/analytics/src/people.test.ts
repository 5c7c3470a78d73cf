import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryParams } from './params'
import { identityMapSql } from './people'
import { type Fixture, openFixture, PROJECT } from './testing/fixture'

const T = Date.UTC(2026, 2, 1)

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  // each link is its own insert, so each is a part of its own: the rows of one pair are not merged
  await fx.link('a-earliest', 'u-later', T + 20_000)
  await fx.link('a-earliest', 'u-first', T + 10_000)
  await fx.link('a-tie', 'u-z', T)
  await fx.link('a-tie', 'u-y', T)
  await fx.link('a-repeat', 'u-p', T + 30_000)
  await fx.link('a-repeat', 'u-q', T + 20_000)
  await fx.link('a-repeat', 'u-p', T + 5_000)
  await fx.link('a-elsewhere', 'u-other', T, 'other-project')
})
afterAll(async () => fx?.close())

const EXPECTED = { 'a-earliest': 'u-first', 'a-repeat': 'u-p', 'a-tie': 'u-y' }

describe('the identity map', () => {
  it("maps each anonymous id to its earliest link, ties to the smallest user id, one project's links only", async () => {
    const p = new QueryParams()
    const rows = await fx.reader.rows<{ anonymous_id: string; mapped_user: string }>(
      identityMapSql(p.add(PROJECT, 'String')),
      p,
    )
    expect(Object.fromEntries(rows.map((r) => [r.anonymous_id, r.mapped_user]))).toEqual(EXPECTED)
  })

  it('gives the same map on 64-bit hashes of the ids', async () => {
    type Pair = { anon_h: string; mapped_h: string }
    const p = new QueryParams()
    const hashed = await fx.reader.rows<Pair>(identityMapSql(p.add(PROJECT, 'String'), true), p)
    const pairs = Object.entries(EXPECTED)
      .map(([anon, user]) => `('${anon}', '${user}')`)
      .join(', ')
    const expected = await fx.reader.rows<Pair>(
      `SELECT cityHash64(a) AS anon_h, cityHash64(u) AS mapped_h FROM values('a String, u String', ${pairs})`,
      new QueryParams(),
    )
    const sorted = (xs: Pair[]) => xs.map((x) => `${x.anon_h}→${x.mapped_h}`).sort()
    expect(sorted(hashed)).toEqual(sorted(expected))
  })
})
