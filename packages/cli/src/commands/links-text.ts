import type { Compared, LinkRow, LinksResult } from '@touchpoint/analytics'
import { formatTable } from '../table'
import { change, comparedHead, rowsBefore, was } from './compare-text'

/** Outbound links or downloads, the most clicked first, and a row of them all; with --compare, each one's change. */
export function linksText(r: Compared<LinksResult>): string {
  const one = r.total.clicks === 1
  const what =
    r.kind === 'outbound'
      ? `click${one ? '' : 's'} on links to other sites`
      : `file download${one ? '' : 's'}`
  if (!r.total.clicks) return `${comparedHead(r)}no ${what} in the range`
  const before = rowsBefore(r.previous?.rows, (x) => x.key)
  const line = (key: string, x: Omit<LinkRow, 'key'>, b: Partial<LinkRow> | undefined) => ({
    [r.by === 'host' ? 'site' : 'link']: key,
    clicks: x.clicks,
    ...(b && { 'Δ clicks': change(x.clicks, was(b, 'clicks')) }),
    visitors: x.visitors,
    'clicked most on': x.topPage,
    pages: x.pages,
  })
  const all = { ...r.total, topPage: '', pages: 0 }
  const table = formatTable([
    ...r.rows.map((x) => line(x.key, x, before(x.key))),
    { ...line('(all)', all, r.previous && { clicks: r.previous.total.clicks }), pages: '' },
  ])
  const more = r.total.links - r.rows.length
  return `${comparedHead(r)}${r.total.clicks} ${what}\n${table}${more > 0 ? `\n\n${more} more; --limit N lists more` : ''}`
}
