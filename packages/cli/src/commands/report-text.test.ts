import type { PageFigures, PagesResult } from '@touchpoint/analytics'
import { describe, expect, it } from 'vitest'
import { pagesText, pathsText } from './report-text'

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

describe('pathsText', () => {
  it('counts one person as one, and says where the paths begin without --start', () => {
    const r = {
      people: 1,
      next: [{ step: 'Signed Up', people: 1, share: 1 }],
      paths: [{ steps: ['Signed Up', '(end)'], people: 1, share: 1 }],
    }
    const text = pathsText(r, undefined)
    expect(text).toMatch(/^1 person did Page Viewed in the range; what they did next:\n/)
    expect(text).toMatch(
      /From each person's first page view; --start "Page Viewed\[path=\/pricing\]" starts elsewhere$/,
    )
    expect(pathsText({ ...r, people: 0, next: [], paths: [] }, 'Signed Up')).toBe(
      'nobody did Signed Up in the range',
    )
  })
})
