import { type ClickClaims, HANDOFF_PARAM } from '@touchpoint/node'

/**
 * Where a click goes: the signed target, with utm_source, utm_medium=email and utm_campaign added unless the
 * target sets them, and (when given) the signed hand-off for the browser SDK. `landing` is the same URL
 * without the hand-off, as the click event records it.
 */
export function redirectTarget(claims: ClickClaims, utmSource: string, handoff: string | undefined) {
  const url = new URL(claims.target)
  const tags: [string, string][] = [
    ['utm_source', utmSource],
    ['utm_medium', 'email'],
    ['utm_campaign', claims.campaignId],
  ]
  for (const [name, value] of tags) if (!url.searchParams.has(name)) url.searchParams.set(name, value)
  const landing = url.href
  if (handoff) url.searchParams.set(HANDOFF_PARAM, handoff)
  return { location: url.href, landing }
}
