import type { PageFigures, PagesResult } from '@touchpoint/analytics'
import { describe, expect, it } from 'vitest'
import { pagesText } from './report-text'

const figures: PageFigures = {
  views: 5,
  visitors: 2,
  entries: 2,
  bounceRate: 0.5,
  exits: 2,
  exitRate: 0.4,
  medianEngagedSeconds: null,
  meanScrollDepth: null,
}
const result = (hosts: PagesResult['hosts'], rows = [{ path: '/', ...figures }]): PagesResult => ({
  rows,
  hosts,
  total: { ...figures, paths: rows.length },
})

describe('pagesText', () => {
  it("names the hosts of a project that several sites send to, and how to see one site's pages", () => {
    const two = result([
      { host: 'shop.example', views: 3 },
      { host: '', views: 2 },
    ])
    expect(pagesText(two)).toMatch(
      /\n\nPage views by host: shop\.example 3, \(no URL\) 2\. Their paths add up here; --host NAME shows one site's pages\.$/,
    )
    // asked for one host, or with one host only, there is nothing to say
    expect(pagesText(two, 'shop.example')).not.toContain('Page views by host')
    expect(pagesText(result([{ host: 'shop.example', views: 5 }]))).not.toContain('Page views by host')
    expect(pagesText(result(two.hosts, []), 'blog.example')).toBe(
      'no page views on blog.example in the range',
    )
  })
})
