import { type Channel, channelOf, isSearchSource } from './channel'

export interface CampaignInfo {
  utm_source: string
  utm_medium: string
  utm_campaign: string
  utm_term: string
  utm_content: string
  gclid: string
  fbclid: string
  msclkid: string
  referrer_host: string
  channel: Channel
}

export interface CampaignContext {
  name?: string | undefined
  source?: string | undefined
  medium?: string | undefined
  term?: string | undefined
  content?: string | undefined
  /** Ad click ids the browser SDK keeps for the session (the landing URL had them). */
  gclid?: string | undefined
  fbclid?: string | undefined
  msclkid?: string | undefined
}

export function parseUrl(url: string): URL | undefined {
  if (!url) return undefined
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

export const hostOf = (url: URL | undefined) => (url ? url.hostname.toLowerCase().replace(/^www\./, '') : '')

// module-level rather than closures in campaignOf: run under tsx (as the Dockerfile does), every closure a
// call creates is also named with Object.defineProperty, which --cpu-prof showed as 6 µs a request
const param = (params: URLSearchParams | undefined, name: string) => params?.get(name)?.slice(0, 1024) ?? ''

function clickId(
  params: URLSearchParams | undefined,
  ctx: CampaignContext | undefined,
  name: 'gclid' | 'fbclid' | 'msclkid',
): string {
  const kept = ctx?.[name]
  return param(params, name) || (typeof kept === 'string' ? kept.slice(0, 1024) : '')
}

/** A referrer's host, or '' for one on the page's own host (internal navigation). */
function externalHost(url: string, pageHost: string): string {
  const host = hostOf(parseUrl(url))
  return host === pageHost ? '' : host
}

/**
 * Campaign fields from context.campaign (Segment's shape; `name` is the campaign) or else the page URL's
 * utm_* parameters, the ad click ids from the URL, the referrer's host, and the channel. Without UTM tags the
 * channel comes from a Google Ads click id (paid search) or else the referrer (a search engine is organic
 * search, other sites are referrals): the visit's, for a call that carries its visit; a referrer on the page's
 * own host is internal navigation and counts as none.
 */
export function campaignOf(
  /** the page's URL, or what parseUrl made of it */
  pageUrl: string | URL | undefined,
  referrer: string,
  ctx: CampaignContext | undefined,
  /** the referrer the session landed from (context.referrer.url, which tp.js keeps for the session) */
  sessionReferrer = '',
  /** the call carries its visit (context.sessionId, as tp.js sends): the visit's referrer alone is its source */
  inSession = false,
  /** the hosts of the project's own sites (its allowedOrigins): a referrer on one of them is no referral */
  sites: readonly string[] = [],
): CampaignInfo {
  const page = typeof pageUrl === 'string' ? parseUrl(pageUrl) : pageUrl
  const params = page?.searchParams
  const utm_source = ctx?.source ?? param(params, 'utm_source')
  const utm_medium = ctx?.medium ?? param(params, 'utm_medium')
  const utm_campaign = ctx?.name ?? param(params, 'utm_campaign')
  const pageHost = hostOf(page)
  const referrer_host = externalHost(referrer, pageHost)
  const gclid = clickId(params, ctx, 'gclid')
  // Without tags, the referrer is the source, so that every page of a visit from a search engine is organic
  // search, as tags and click ids last the session too. For a call that carries its visit, that is the site the
  // visit came from, whatever the page's own referrer: within a visit it is another of the visit's pages, on this
  // host or on another of the site's (a hop to a subdomain, or to a domain tp.js links across). For other calls it
  // is the page's own referrer, or else the one its session landed from. A Google Ads click id says the visit is
  // google / cpc instead (channelOf): an ad's landing page has Google as its referrer too, which must not make it
  // organic search.
  // A visit that starts on one of the site's own sites from another (a subdomain after 30 idle minutes) came from
  // the site itself: no referral, as GA4's list of unwanted referrals has it
  const from = gclid
    ? ''
    : inSession
      ? externalHost(sessionReferrer, pageHost)
      : referrer_host ||
        (sessionReferrer && sessionReferrer !== referrer ? externalHost(sessionReferrer, pageHost) : '')
  const referred = sites.includes(from) ? '' : from
  const source = utm_source || referred
  // without tags, a search engine's referral has medium "organic" (as GA4 records it), any other site's "referral"
  const untaggedMedium = isSearchSource(referred) ? 'organic' : 'referral'
  const medium = utm_medium || (!utm_source && referred ? untaggedMedium : '')
  const channel = channelOf({ source, medium, campaign: utm_campaign, gclid })
  return {
    utm_source,
    utm_medium,
    utm_campaign,
    utm_term: ctx?.term ?? param(params, 'utm_term'),
    utm_content: ctx?.content ?? param(params, 'utm_content'),
    gclid,
    fbclid: clickId(params, ctx, 'fbclid'),
    msclkid: clickId(params, ctx, 'msclkid'),
    referrer_host,
    channel,
  }
}
