import { Lru } from '../util/lru'
import { SEARCH_SOURCES, SHOPPING_SOURCES, SOCIAL_SOURCES, VIDEO_SOURCES } from './channel-sources'

/** The channels of GA4's default channel grouping, in the order GA4 evaluates its rules. */
export const CHANNELS = [
  'Direct',
  'Cross-network',
  'Paid Shopping',
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Display',
  'Paid Other',
  'Organic Shopping',
  'Organic Social',
  'Organic Video',
  'Organic Search',
  'Referral',
  'Email',
  'Affiliates',
  'Audio',
  'SMS',
  'Mobile Push Notifications',
  'Unassigned',
] as const
export type Channel = (typeof CHANNELS)[number]

export interface ChannelInput {
  source: string
  medium: string
  campaign: string
  /** a Google Ads click id makes the visit google / cpc, as GA4's auto-tagging does */
  gclid?: string
}

const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/
const SHOP_CAMPAIGN = /^(.*(([^a-df-z]|^)shop|shopping).*)$/
const SOCIAL_MEDIUM = new Set([
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
])
const DISPLAY_MEDIUM = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm'])
const EMAIL = new Set(['email', 'e-mail', 'e_mail', 'e mail'])

function sourceIn(source: string, list: readonly string[]): boolean {
  if (!source) return false
  const host = source.replace(/^www\./, '')
  return list.some((name) => {
    if (host === name) return true
    // "m.facebook.com" / "facebook.com" / "l.facebook.com" → "facebook"; "search.brave.com" → "search.brave"
    return host.startsWith(`${name}.`) || host.includes(`.${name}.`) || host.endsWith(`.${name}`)
  })
}

/** True when the source is a search engine (a referral from it without tags is organic search). */
export const isSearchSource = (source: string) => sourceIn(source.toLowerCase(), SEARCH_SOURCES)

/**
 * GA4's default channel grouping (support.google.com/analytics/answer/9756891), rule by rule, on the
 * session's source, medium and campaign. Direct is a visit with no source at all.
 */
const CHANNEL_CACHE_SIZE = 10_000
const channels = new Lru<string, Channel>(CHANNEL_CACHE_SIZE)

/**
 * The channel of a source, medium and campaign (and whether there was a Google click id). A pure function of
 * few distinct inputs on real traffic, so it is cached: its rules are regular expressions, and they showed in
 * the profile of the pixel route.
 */
export function channelOf(input: ChannelInput): Channel {
  const key = `${input.source}\0${input.medium}\0${input.campaign}\0${input.gclid ? 1 : 0}`
  let channel = channels.get(key)
  if (channel === undefined) {
    channel = classifyChannel(input)
    channels.set(key, channel)
  }
  return channel
}

function classifyChannel(input: ChannelInput): Channel {
  let { source, medium } = input
  const campaign = input.campaign.toLowerCase()
  source = source.toLowerCase()
  medium = medium.toLowerCase()
  if (input.gclid && !source) {
    source = 'google'
    medium = 'cpc'
  }
  if (!source && (!medium || medium === '(none)' || medium === '(not set)')) return 'Direct'
  if (campaign.includes('cross-network')) return 'Cross-network'
  const paid = PAID_MEDIUM.test(medium)
  const shopping = sourceIn(source, SHOPPING_SOURCES) || SHOP_CAMPAIGN.test(campaign)
  if (shopping && paid) return 'Paid Shopping'
  if (sourceIn(source, SEARCH_SOURCES) && paid) return 'Paid Search'
  if (sourceIn(source, SOCIAL_SOURCES) && paid) return 'Paid Social'
  if (sourceIn(source, VIDEO_SOURCES) && paid) return 'Paid Video'
  if (DISPLAY_MEDIUM.has(medium)) return 'Display'
  if (paid) return 'Paid Other'
  if (shopping) return 'Organic Shopping'
  if (sourceIn(source, SOCIAL_SOURCES) || SOCIAL_MEDIUM.has(medium)) return 'Organic Social'
  if (sourceIn(source, VIDEO_SOURCES) || medium.includes('video')) return 'Organic Video'
  if (sourceIn(source, SEARCH_SOURCES) || medium === 'organic') return 'Organic Search'
  if (medium === 'referral' || medium === 'app' || medium === 'link') return 'Referral'
  if (EMAIL.has(source) || EMAIL.has(medium)) return 'Email'
  if (medium === 'affiliate') return 'Affiliates'
  if (medium === 'audio') return 'Audio'
  if (source === 'sms' || medium === 'sms') return 'SMS'
  if (
    medium.endsWith('push') ||
    medium.includes('mobile') ||
    medium.includes('notification') ||
    source === 'firebase'
  ) {
    return 'Mobile Push Notifications'
  }
  return 'Unassigned'
}
